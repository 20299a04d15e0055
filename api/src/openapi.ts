import type Router from '@koa/router';
import { type ZodType, z } from 'zod';

export interface RouteDoc {
  summary: string;
  body?: ZodType;
  query?: ZodType;
  form?: boolean;
  public?: boolean;
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

/**
 * OpenAPI 3.1 built from the routers themselves (so no route can be missing) and the zod schemas that
 * validate their input (so documented and enforced shapes cannot drift).
 */
export function openApiDocument(routers: Router[], docs: Record<string, RouteDoc>) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      const path = layer.path.replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
        const key = `${method} ${layer.path}`;
        const doc = docs[key];
        if (!doc) throw new Error(`no API documentation for ${key}`);
        const params = [...layer.path.matchAll(/:(\w+)/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: { type: 'string' },
        }));
        const query = doc.query ? z.toJSONSchema(doc.query, { io: 'input' }) : undefined;
        const queryParams = Object.entries((query?.properties ?? {}) as Record<string, object>).map(
          ([name, schema]) => ({
            name,
            in: 'query',
            required: false,
            schema,
          }),
        );
        paths[path] ??= {};
        paths[path][method.toLowerCase()] = {
          summary: doc.summary,
          ...(doc.public ? { security: [] } : {}),
          ...(params.length + queryParams.length ? { parameters: [...params, ...queryParams] } : {}),
          ...(doc.body
            ? {
                requestBody: {
                  required: true,
                  content: {
                    [doc.form ? 'application/x-www-form-urlencoded' : 'application/json']: {
                      schema: z.toJSONSchema(doc.body, { io: 'input', target: 'draft-2020-12' }),
                    },
                  },
                },
              }
            : {}),
          responses: {
            '200': { description: 'Success' },
            default: {
              description: 'Error',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        };
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bolt API',
      version: '0.1.0',
      description: 'Titles in, narrated multi-language scripts out.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
