// Request schemas of storefront customer accounts (API.md "Customers") and their back-office list.
import { z } from 'zod';
import { email, pageQuery } from './schemas.ts';

// Passwords: at least 10 characters; 200 bounds the hashing work one request can ask for.
const newPassword = z.string().min(10, 'a password has at least 10 characters').max(200);
const givenPassword = z.string().min(1).max(200);
const customerName = z.string().trim().min(1).max(200);

/** POST /store/customers. */
export const registerCustomerBody = z.object({ email, password: newPassword, name: customerName.optional() }).strict();

/** POST /store/auth/token. */
export const signInBody = z.object({ email, password: givenPassword }).strict();

/** POST /store/auth/password-reset. */
export const passwordResetBody = z.object({ email }).strict();

/** POST /store/auth/password-reset/confirm. */
export const passwordResetConfirmBody = z.object({ token: z.string().min(1).max(200), password: newPassword }).strict();

/** PATCH /store/customers/me: a new password needs the current one. */
export const updateCustomerBody = z
  .object({ name: customerName.nullable().optional(), password: newPassword.optional(), current_password: givenPassword.optional() })
  .strict()
  .refine((b) => b.password === undefined || b.current_password !== undefined, {
    message: 'current_password is required to change the password',
    path: ['current_password'],
  });

/** GET /admin/customers. */
export const customerListQuery = pageQuery.extend({ q: z.string().trim().max(254).optional() });
