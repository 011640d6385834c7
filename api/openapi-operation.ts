// The shape of one documented operation of /openapi.json, shared by the modules that list them.
import { z } from 'zod';

/** One HTTP operation: its auth, request schemas and answer. */
export type Op = {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  summary: string;
  /** `customer`: the store's publishable key plus `Authorization: Bearer <customer token>`. */
  auth: 'store' | 'customer' | 'admin' | 'none';
  body?: z.ZodType;
  /** A body that is not JSON but the raw bytes of this media type (file uploads). */
  rawBody?: string;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
};

/** A cursor-paginated list of `item`. */
export const list = (item: z.ZodType) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
