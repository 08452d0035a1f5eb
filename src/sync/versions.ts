/** How the saas-gen that runs relates to the one that last wrote a product. */
import semver from 'semver';

export type VersionRelation =
  /** No product yet. */
  | { readonly kind: 'new' }
  | { readonly kind: 'same' }
  /** The product was written by an older saas-gen (or one that did not record its version). */
  | { readonly kind: 'upgrade'; readonly from: string }
  /** The product was written by a newer saas-gen: this one must not write over it. */
  | { readonly kind: 'newer'; readonly from: string };

export function versionRelation(product: string | undefined, running: string): VersionRelation {
  if (product === undefined) return { kind: 'new' };
  if (!semver.valid(product)) return { kind: 'upgrade', from: product || 'an unknown version' };
  const order = semver.compare(product, running);
  if (order === 0) return { kind: 'same' };
  return order < 0 ? { kind: 'upgrade', from: product } : { kind: 'newer', from: product };
}
