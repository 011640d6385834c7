// /openapi.json operations of storefront customer accounts and their back-office view.
import { z } from 'zod';
import * as s from './schemas.ts';
import * as c from './schemas-customers.ts';
import { orderView, subscriptionView } from '../contracts/views.ts';
import { list, type Op } from './openapi-operation.ts';

// Customer account answers (never a password hash; a token only in the register and sign-in answers).
const customerView = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() });
const addressView = s.shippingAddress.extend({ id: z.string() });
const customerMeView = customerView.extend({ addresses: z.array(addressView) });
const tokenView = z.object({ token: z.string(), expires_at: z.string() });
const adminCustomerView = customerView.extend({ created_at: z.string(), order_count: z.number() });

/** Register, sign in and out, password reset, the customer's own account, orders and subscriptions; admin customer list and detail. */
export const CUSTOMER_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/store/customers',
    summary: 'Register a customer (409 e-mail taken in this store); answers a session token once',
    auth: 'store',
    body: c.registerCustomerBody,
    response: tokenView.extend({ customer: customerView }),
    status: 201,
  },
  {
    method: 'post',
    path: '/store/auth/token',
    summary: 'Sign in (401 for unknown e-mail and wrong password alike; 429 after 5 failures for one e-mail in 15 min)',
    auth: 'store',
    body: c.signInBody,
    response: tokenView,
  },
  { method: 'delete', path: '/store/auth/token', summary: 'Sign out: the token answers 401 from then on', auth: 'customer', status: 204 },
  {
    method: 'post',
    path: '/store/auth/password-reset',
    summary: 'Request a password reset e-mail (always 202: no account enumeration)',
    auth: 'store',
    body: c.passwordResetBody,
    status: 202,
  },
  {
    method: 'post',
    path: '/store/auth/password-reset/confirm',
    summary: 'Set a new password with the e-mailed one-time token (400 expired or used); revokes every older token',
    auth: 'store',
    body: c.passwordResetConfirmBody,
    status: 204,
  },
  { method: 'get', path: '/store/customers/me', summary: 'The signed-in customer with saved addresses', auth: 'customer', response: customerMeView },
  {
    method: 'patch',
    path: '/store/customers/me',
    summary: 'Change name or password (a new password needs current_password and ends the other sessions)',
    auth: 'customer',
    body: c.updateCustomerBody,
    response: customerMeView,
  },
  {
    method: 'post',
    path: '/store/customers/me/addresses',
    summary: 'Save an address',
    auth: 'customer',
    body: s.shippingAddress,
    response: addressView,
    status: 201,
  },
  { method: 'delete', path: '/store/customers/me/addresses/{id}', summary: 'Delete a saved address', auth: 'customer', status: 204 },
  {
    method: 'get',
    path: '/store/customers/me/orders',
    summary: "The customer's orders, newest first",
    auth: 'customer',
    query: s.pageQuery,
    response: list(orderView),
  },
  {
    method: 'get',
    path: '/store/customers/me/subscriptions',
    summary: "The customer's subscriptions, newest first",
    auth: 'customer',
    query: s.pageQuery,
    response: list(subscriptionView),
  },
  {
    method: 'post',
    path: '/store/customers/me/subscriptions/{id}/cancel',
    summary: "Cancel one's own subscription (the workflow's cancel Update; another customer's is 404)",
    auth: 'customer',
    body: s.cancelSubscriptionBody,
    response: subscriptionView,
  },
  {
    method: 'put',
    path: '/store/customers/me/subscriptions/{id}/payment-method',
    summary: "Change the card of one's own subscription (the workflow's updatePaymentMethod Update)",
    auth: 'customer',
    body: s.paymentMethodBody,
    response: subscriptionView,
  },
  {
    method: 'get',
    path: '/admin/customers',
    summary: 'List storefront customers (q: part of an e-mail or name) with order counts',
    auth: 'admin',
    query: c.customerListQuery,
    response: list(adminCustomerView),
  },
  {
    method: 'get',
    path: '/admin/customers/{id}',
    summary: 'A customer with order count and addresses',
    auth: 'admin',
    response: adminCustomerView.extend({ addresses: z.array(addressView) }),
  },
];
