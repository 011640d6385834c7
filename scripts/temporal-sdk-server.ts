// Last resort for machines with internet but neither a `temporal` binary nor Go: the SDK downloads the CLI
// (@temporalio/testing's cached download) and runs the same dev server with our options.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CartIdKey, CustomerEmailKey, OrderIdKey, OrderStatusKey, PaymentMethodKey, TenantIdKey, VendorIdsKey } from '../contracts/search-attributes.ts';
import { projectRoot } from './temporal-binary.ts';

/** Starts a dev server from an SDK-downloaded CLI; fails with a clear message when the download is impossible. */
export async function startSdkDownloadedDevServer(opts: { port: number; uiPort?: number; headless?: boolean; dbFile?: string; codecEndpoint?: string }) {
  const root = projectRoot();
  process.stderr.write('[temporal] no `temporal` binary and no Go: asking the Temporal SDK to download the CLI…\n');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir: path.join(root, '.tools', 'temporal-download') },
        ip: '127.0.0.1',
        port: opts.port,
        ui: !opts.headless,
        ...(opts.uiPort && !opts.headless ? { uiPort: opts.uiPort } : {}),
        ...(opts.dbFile ? { dbFilename: path.resolve(root, opts.dbFile) } : {}),
        ...(opts.codecEndpoint && !opts.headless ? { extraArgs: ['--ui-codec-endpoint', opts.codecEndpoint] } : {}),
        searchAttributes: [TenantIdKey, OrderIdKey, CartIdKey, CustomerEmailKey, OrderStatusKey, PaymentMethodKey, VendorIdsKey],
      },
    });
    return {
      address: `127.0.0.1:${opts.port}`,
      uiUrl: opts.headless ? null : `http://localhost:${opts.uiPort ?? opts.port + 1000}`,
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new Error(
      `the Temporal CLI could not be downloaded (${(err as Error).message}).\n` +
        `Install Go >= 1.25 and run: GOBIN=${path.join(root, '.tools', 'bin')} go install github.com/temporalio/cli/cmd/temporal@v1.5.1,\n` +
        'or put a `temporal` binary on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.',
      { cause: err },
    );
  }
}
