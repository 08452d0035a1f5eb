/**
 * The warehouse service that keeps each tenant's analytics workspace, as the `analytics` handlers
 * see it, and its HTTP client. The workspace of a tenant is addressed by the tenant's id, so that
 * seeding it again (a retried step) finds the one already there.
 */
export interface Warehouse {
  seedWorkspace(tenantId: string): Promise<{ workspaceId: string; sampleRows: number }>;
  deleteWorkspace(tenantId: string): Promise<void>;
}

export function httpWarehouse(baseUrl: URL, fetchFn: typeof fetch = fetch): Warehouse {
  const workspace = (tenantId: string) =>
    new URL(`workspaces/${encodeURIComponent(tenantId)}`, baseUrl);
  const refused = async (response: Response, what: string) =>
    new Error(`the warehouse refused to ${what}: ${response.status} ${await response.text()}`);
  return {
    async seedWorkspace(tenantId) {
      const response = await fetchFn(workspace(tenantId), { method: 'PUT' });
      if (!response.ok) throw await refused(response, `seed the workspace of ${tenantId}`);
      return (await response.json()) as { workspaceId: string; sampleRows: number };
    },
    async deleteWorkspace(tenantId) {
      const response = await fetchFn(workspace(tenantId), { method: 'DELETE' });
      if (!response.ok && response.status !== 404)
        throw await refused(response, `delete the workspace of ${tenantId}`);
    },
  };
}
