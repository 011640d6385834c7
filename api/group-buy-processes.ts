// How the API drives the groupBuy workflow: the start at creation, the join Update (api/processes.ts is at its size limit).
import type { Client } from '@temporalio/client';
import { groupBuyWorkflowId } from '../domain/ids.ts';
import { joinGroupBuyUpdate } from '../contracts/definitions.ts';
import { GroupBuyIdKey, TenantIdKey } from '../contracts/search-attributes.ts';
import type { GroupBuyInput, JoinGroupBuyArgs, JoinResult } from '../contracts/workflows.ts';
import type { WorkflowSignatures } from '../contracts/workflows.ts';
import type { Config } from '../config/config.ts';
import { domainErrorFromTemporal } from './errors.ts';
import { UnavailableError } from '../domain/errors.ts';

/** Starting and joining campaigns; every wait is bounded (503 `unavailable` after the configured answer timeout). */
export function createGroupBuyProcesses(client: Client, config: Config) {
  const within = async <T>(ms: number, what: string, call: () => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      return await client.withAbortSignal(controller.signal, call);
    } catch (err) {
      if (controller.signal.aborted) throw new UnavailableError(`${what} did not answer within ${Math.ceil(ms / 1000)} s; retry later`);
      throw domainErrorFromTemporal(err) ?? err;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    /** Starts `groupbuy:<tenant>:<id>`, found in the Temporal UI by `GroupBuyId`. */
    async startGroupBuy(input: GroupBuyInput): Promise<void> {
      await within(config.PROCESS_ANSWER_TIMEOUT, 'the group buy', () =>
        client.workflow.start<WorkflowSignatures['groupBuy']>('groupBuy', {
          workflowId: groupBuyWorkflowId(input.tenantId, input.groupBuyId),
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [
            { key: TenantIdKey, value: input.tenantId },
            { key: GroupBuyIdKey, value: input.groupBuyId },
          ],
        }),
      );
    },
    /** Sends the join Update and waits until the unit is held and the card authorized (or the refusal: 409, 402). */
    async joinGroupBuy(tenantId: string, groupBuyId: string, args: JoinGroupBuyArgs): Promise<JoinResult> {
      return within(config.CHECKOUT_ANSWER_TIMEOUT, 'the join', () =>
        client.workflow.getHandle(groupBuyWorkflowId(tenantId, groupBuyId)).executeUpdate(joinGroupBuyUpdate, { args: [args] }),
      );
    },
  };
}

/** The group-buy operations the routes use. */
export type GroupBuyProcesses = ReturnType<typeof createGroupBuyProcesses>;
