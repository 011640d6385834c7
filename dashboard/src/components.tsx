// Shared pieces: the problem message, confirmation dialogs, loading and paging.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, type Page } from './api.ts';
import { t } from './i18n/index.ts';

/** An API refusal in words: the server's detail, and each refused field. */
export function ProblemText({ problem }: { problem: unknown }) {
  if (!problem) return null;
  const p = problem instanceof ApiProblem ? problem : new ApiProblem(0, 'error', String(problem));
  return (
    <div role="alert" class="problem">
      <strong>{t('error.title')}</strong> <span data-code={p.code}>{p.detail}</span>
      {p.fieldErrors.length > 0 && (
        <ul>
          {p.fieldErrors.map((e) => (
            <li key={e.path}>
              {e.path}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loads `load()` when `deps` change; `reload()` loads again (keeping the old data on screen meanwhile). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setProblem(null)),
      (e: unknown) => live && setProblem(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);
  return { data, problem, reload: () => setVersion((v) => v + 1) };
}

/**
 * A modal confirmation dialog (native <dialog>: focus stays inside, Escape closes). `onConfirm` runs the action;
 * its refusal is shown in the dialog and the dialog stays open, so nothing is lost.
 */
export function ActionDialog(props: {
  label: string;
  title: string;
  onConfirm: (form: FormData) => Promise<unknown>;
  children?: ComponentChildren;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open) ref.current?.showModal();
  }, [open]);
  const close = () => {
    ref.current?.close();
    setOpen(false);
    setProblem(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await props.onConfirm(new FormData(e.currentTarget as HTMLFormElement));
      close();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} disabled={props.disabled}>
        {props.label}
      </button>
      {open && (
        <dialog ref={ref} aria-labelledby="dialog-title" onClose={close}>
          <form onSubmit={(e) => void submit(e)}>
            <h2 id="dialog-title">{props.title}</h2>
            {props.children}
            <ProblemText problem={problem} />
            <div class="buttons">
              <button type="submit" class="primary" disabled={busy}>
                {t('action.confirm')}
              </button>
              <button type="button" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </>
  );
}

/** A labelled form field. */
export function Field(props: {
  label: string;
  name: string;
  hint?: string;
  defaultValue?: string;
  type?: 'text' | 'number' | 'password';
  required?: boolean;
  step?: string;
}) {
  const id = `f-${props.name}`;
  return (
    <p class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        defaultValue={props.defaultValue}
        required={props.required}
        step={props.step}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
    </p>
  );
}

/** Cursor paging: the API's next_cursor, with a way back to the first page. */
export function Pager({ next, cursor, onCursor }: { next: string | null; cursor: string | null; onCursor: (c: string | null) => void }) {
  if (!next && !cursor) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {cursor && (
        <button type="button" onClick={() => onCursor(null)}>
          {t('common.firstPage')}
        </button>
      )}
      {next && (
        <button type="button" onClick={() => onCursor(next)}>
          {t('common.nextPage')}
        </button>
      )}
    </nav>
  );
}

/** A column of a PagedTable: its heading, its cell, and whether it holds a number (right-aligned). */
export type Column<T> = { head: string; cell: (row: T) => ComponentChildren; num?: boolean };

/** One page of a list as a table: its problem, loading and empty states, and the pager under it. */
export function PagedTable<T>(props: {
  page: Page<T> | null;
  problem: unknown;
  empty: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** Attributes of a row (a class, data- attributes for tests and scripts). */
  rowProps?: (row: T) => Record<string, string | undefined>;
  cursor: string | null;
  onCursor: (cursor: string | null) => void;
}) {
  const { page, problem, columns } = props;
  return (
    <>
      <ProblemText problem={problem} />
      {!page && !problem && <p aria-live="polite">{t('common.loading')}</p>}
      {page && page.items.length === 0 && <p>{props.empty}</p>}
      {page && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.head} scope="col" class={c.num ? 'num' : undefined}>
                  {c.head}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={props.rowKey(row)} {...props.rowProps?.(row)}>
                {columns.map((c) => (
                  <td key={c.head} class={c.num ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && <Pager next={page.next_cursor} cursor={props.cursor} onCursor={props.onCursor} />}
    </>
  );
}

/** A status code as a badge in words (the code stays in data-status for scripts and tests). */
export function Status({ code, text }: { code: string; text: string }) {
  return (
    <span class={`status status-${code}`} data-status={code}>
      {text}
    </span>
  );
}
