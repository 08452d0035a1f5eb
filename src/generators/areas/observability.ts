/**
 * observability/: what `docker compose --profile observability up` runs next to the product:
 * Prometheus's scrape configuration and alerting rules (with their promtool tests), and Grafana's
 * provisioning and dashboards, all drawn from the blueprint's workflows and steps.
 */
import { stringify } from 'yaml';
import { alertGroups, alertTests, scrapeJobs } from '../observability/alerts.js';
import { dashboards, datasources } from '../observability/dashboards.js';
import { observabilityPlan } from '../observability/plan.js';
import type { AreaContext } from './area.js';

const yaml = (value: unknown): string => stringify(value, { lineWidth: 0 });
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Where Grafana's container finds the dashboards (docker-compose.yml mounts them there). */
export const grafanaDashboardsPath = '/etc/grafana/dashboards';
/**
 * The file prometheus.yml reads METRICS_TOKEN from, relative to prometheus.yml itself (Prometheus
 * and promtool resolve a relative path against the configuration file's folder). In the
 * repository it is observability/metrics-token, empty, so that `promtool check config` passes on
 * the file as it is; in Prometheus's container it is /etc/prometheus/metrics-token, which
 * docker-compose.yml writes from METRICS_TOKEN when the container starts.
 */
export const metricsTokenFile = 'metrics-token';

function prometheusConfig(product: string): string {
  const job = (name: string) => `  - job_name: ${name}
    metrics_path: /metrics
    # GET /metrics asks for METRICS_TOKEN when the product has one. Prometheus reads it on every
    # scrape from this file, next to prometheus.yml (an empty file sends no usable token: fine
    # while METRICS_TOKEN is unset). In the container, docker-compose.yml writes METRICS_TOKEN
    # there when it starts; observability/${metricsTokenFile} in the repository stays empty.
    authorization:
      type: Bearer
      credentials_file: ${metricsTokenFile}
    # The compose service name resolves to every replica: each one is a target.
    dns_sd_configs:
      - names: [${name}]
        type: A
        port: 3000
        refresh_interval: 15s
`;
  return `# Prometheus for the docker compose deployment of ${product}: it scrapes every process of
# every role (the \`api\` and each \`worker\` replica) and evaluates alerts.yml.
# Run it with \`docker compose --profile observability up\`; its UI is at http://127.0.0.1:9090.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
  external_labels:
    product: ${product}

rule_files:
  - alerts.yml

scrape_configs:
${scrapeJobs.map(job).join('')}`;
}

export function observabilityArea({ view, tree }: AreaContext): void {
  const plan = observabilityPlan(view.model);
  const groups = alertGroups(plan);
  tree.write('observability/prometheus.yml', prometheusConfig(plan.product));
  // Empty: the file prometheus.yml names, so that promtool and a Prometheus started on this
  // folder find it. The compose stack does not mount it: its container writes its own copy.
  tree.write(`observability/${metricsTokenFile}`, '');
  tree.write('observability/alerts.yml', yaml({ groups }));
  tree.write('observability/alerts.test.yml', yaml(alertTests(plan, groups)));
  tree.write(
    'observability/grafana/provisioning/datasources/datasources.yml',
    yaml({
      apiVersion: 1,
      datasources: [
        {
          name: datasources.prometheus.name,
          type: datasources.prometheus.type,
          uid: datasources.prometheus.uid,
          access: 'proxy',
          url: 'http://prometheus:9090',
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: '15s' },
        },
        {
          name: datasources.jaeger.name,
          type: datasources.jaeger.type,
          uid: datasources.jaeger.uid,
          access: 'proxy',
          url: 'http://jaeger:16686',
          editable: false,
        },
      ],
    }),
  );
  tree.write(
    'observability/grafana/provisioning/dashboards/dashboards.yml',
    yaml({
      apiVersion: 1,
      providers: [
        {
          name: plan.product,
          folder: plan.title,
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: grafanaDashboardsPath, foldersFromFilesStructure: false },
        },
      ],
    }),
  );
  for (const { file, dashboard } of dashboards(plan))
    tree.write(`observability/grafana/dashboards/${file}`, json(dashboard));
}
