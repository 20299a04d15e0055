import path from 'node:path';
import { answers, Service } from './service.ts';

export interface MinioCredentials {
  user: string;
  password: string;
}

/** MinIO serving `dataDir` as an S3 endpoint on loopback (its console on a port of its own). */
export function minioService(options: {
  binary: string;
  dataDir: string;
  port: number;
  consolePort: number;
  credentials: MinioCredentials;
  logFile: string;
}): Service {
  const { binary, dataDir, port, consolePort, credentials, logFile } = options;
  return new Service({
    name: 'minio',
    command: binary,
    // biome-ignore format: one flag and its value per line
    args: [
      'server', path.resolve(dataDir),
      '--address', `127.0.0.1:${port}`,
      '--console-address', `127.0.0.1:${consolePort}`,
      '--quiet',
    ],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MINIO_ROOT_USER: credentials.user,
      MINIO_ROOT_PASSWORD: credentials.password,
      MINIO_BROWSER_REDIRECT: 'off',
      MINIO_UPDATE: 'off',
    },
    logFile,
    ready: answers(`http://127.0.0.1:${port}/minio/health/ready`),
  });
}
