import type Router from '@koa/router';
import { type ZodType, z } from 'zod';

type SuccessStatus = 200 | 201 | 202 | 204 | 206;

export interface RouteDoc {
  summary: string;
  body?: ZodType;
  query?: ZodType;
  form?: boolean;
  public?: boolean;
  /** The success statuses, when not 200 (201 created, 202 accepted, 204 no content, 206 a range). */
  status?: SuccessStatus | SuccessStatus[];
  /** What a success answers, when it is not JSON: a media type such as `audio/*` or `text/event-stream`. */
  produces?: string;
  /** The route calls a model or speech provider: 502 and 503 say that it failed (see http.ts). */
  provider?: boolean;
  /** What a JSON success answers (the same schema for each of its statuses). */
  response?: ZodType;
}

/**
 * A response schema as JSON Schema: dates (which the server sends as ISO strings) become `date-time`
 * strings, and an object is closed only where its schema is strict, since answers may gain fields.
 */
export function responseSchema(schema: ZodType) {
  return z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: ({ zodSchema }) =>
      zodSchema._zod.def.type === 'date' ? { type: 'string', format: 'date-time' } : 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'object' && def.catchall === undefined) delete jsonSchema.additionalProperties;
    },
  });
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          description:
            'For a 400 `invalid_request`, the fields that were wrong (`message` in English; for input ' +
            "the schema refused, also zod's issue `code`, its `origin` — string, number, array… — and the " +
            '`limit` it missed for too_small and too_big); for a provider failure, its reason.',
          anyOf: [{ type: 'array', items: { $ref: '#/components/schemas/FieldError' } }, { type: 'object' }],
        },
      },
    },
  },
};

const fieldErrorSchema = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: {
      type: 'string',
      description: 'The path of the field, dot-separated, e.g. `default_voices.pt-BR`',
    },
    message: { type: 'string' },
    code: {
      type: 'string',
      description: "zod's issue code: too_small, too_big, invalid_format, invalid_type…",
    },
    origin: { type: 'string', description: 'What was measured: string (its characters), number, array…' },
    limit: { type: 'number', description: 'The minimum (too_small) or maximum (too_big) it missed' },
  },
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** The documented answers of one route: its success, a provider's failure where it calls one, errors. */
function responses(doc: RouteDoc) {
  const statuses = [doc.status ?? 200].flat();
  const success = (status: SuccessStatus) =>
    status === 204
      ? { description: 'No content' }
      : {
          description: 'Success',
          content: {
            [doc.produces ?? 'application/json']: {
              schema: doc.response ? responseSchema(doc.response) : {},
            },
          },
        };
  return {
    ...Object.fromEntries(statuses.map((status) => [String(status), success(status)])),
    ...(doc.provider
      ? {
          '502': {
            description: 'The provider answered with an error (its reason in details)',
            content: errorContent,
          },
          '503': {
            description: 'The provider is unreachable or rate-limiting the key (Retry-After when it said)',
            headers: { 'Retry-After': { schema: { type: 'integer' } } },
            content: errorContent,
          },
        }
      : {}),
    default: { description: 'Error', content: errorContent },
  };
}

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
          responses: responses(doc),
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
      schemas: { Error: errorSchema, FieldError: fieldErrorSchema },
    },
    paths,
  };
}
