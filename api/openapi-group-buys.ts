// /openapi.json operations of group buying: the back office's campaigns, the storefront's read and join.
import * as g from './schemas-group-buys.ts';
import { groupBuyView } from '../contracts/group-buys.ts';
import type { Op } from './openapi-operation.ts';

/** Create and read campaigns; read and join them from a storefront. */
export const GROUP_BUY_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/group-buys',
    summary:
      'Create a group buy and start its workflow groupbuy:<tenant>:<id> (422 authorization_window_exceeded when ends_at is beyond CARD_AUTHORIZATION_VALIDITY)',
    auth: 'admin',
    body: g.createGroupBuyBody,
    response: groupBuyView,
    status: 201,
  },
  { method: 'get', path: '/admin/group-buys/{id}', summary: 'Get a group buy (status, participants)', auth: 'admin', response: groupBuyView },
  { method: 'get', path: '/store/group-buys/{id}', summary: 'Get a group buy (read from the database)', auth: 'store', response: groupBuyView },
  {
    method: 'post',
    path: '/store/group-buys/{id}/join',
    summary: 'Join: one unit held and the card authorized (409 closed, full or the e-mail already joined; 402 card_declined, nothing held)',
    auth: 'store',
    body: g.joinGroupBuyBody,
    response: g.joinGroupBuyResponse,
    status: 201,
  },
];
