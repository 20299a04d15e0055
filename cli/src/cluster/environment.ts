/** Where a cluster's Bolt processes find its servers, and the secrets they share. */
export interface ClusterServers {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl: string;
  databaseUrl: string;
  s3Endpoint: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  jwtSecret: string;
  credentialsKey: string;
}

/**
 * The variables every Bolt process of a deployment is configured with: the servers, and the secrets
 * that must be the same everywhere (tokens signed by one API replica, keys stored by the API and read by
 * the workers). docker-compose.yml sets the same ones (test/unit/compose.test.ts).
 */
function sharedEnv(s: ClusterServers): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: s.temporalAddress,
    TEMPORAL_NAMESPACE: s.namespace,
    TEMPORAL_TASK_QUEUE: 'bolt',
    TEMPORAL_UI_URL: s.temporalUiUrl,
    DATABASE_URL: s.databaseUrl,
    S3_BUCKET: 'bolt',
    S3_ENDPOINT: s.s3Endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: s.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY: s.s3SecretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    BOLT_JWT_SECRET: s.jwtSecret,
    BOLT_CREDENTIALS_KEY: s.credentialsKey,
  };
}

/** An API-only process: `bolt start --api-only`. */
export function apiEnv(
  s: ClusterServers,
  at: { dataDir: string; host: string; port: number },
): Record<string, string> {
  return {
    ...sharedEnv(s),
    BOLT_DATA_DIR: at.dataDir,
    BOLT_API_ONLY: 'true',
    HOST: at.host,
    PORT: String(at.port),
  };
}

/** A worker process: `bolt worker`, its metrics on a port of its own. */
export function workerEnv(
  s: ClusterServers,
  at: { dataDir: string; metricsHost: string; metricsPort: number },
): Record<string, string> {
  return {
    ...sharedEnv(s),
    BOLT_DATA_DIR: at.dataDir,
    BOLT_METRICS_HOST: at.metricsHost,
    BOLT_METRICS_PORT: String(at.metricsPort),
  };
}
