// The one place where constraint violations become domain errors.
import {
  CheckIntegrityConstraintViolationError,
  ForeignKeyIntegrityConstraintViolationError,
  InputSyntaxError,
  IntegrityConstraintViolationError,
  InvalidInputError,
  SchemaValidationError,
  UniqueIntegrityConstraintViolationError,
} from 'slonik';
import { ConflictError, ValidationError, type DomainError } from '../domain/errors.ts';

const MESSAGES: Record<string, () => DomainError> = {
  products_tenant_handle_key: () => new ConflictError('a product with this handle already exists'),
  variants_tenant_sku_key: () => new ConflictError('a variant with this sku already exists'),
  categories_tenant_handle_key: () => new ConflictError('a category with this handle already exists'),
  locations_tenant_code_key: () => new ConflictError('a location with this code already exists'),
  inventory_reserved_within_on_hand: () => new ConflictError('on_hand cannot be set below the quantity already reserved'),
  orders_cart_key: () => new ConflictError('this cart was already checked out'),
};

function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a slonik integrity error or a data exception into a domain error; returns undefined for anything else. */
export function translateDbError(err: unknown): DomainError | undefined {
  // Class 22 (data exception: invalid text such as NUL bytes, numeric overflow…) comes from the request's values.
  if (sqlState(err)?.startsWith('22')) return new ValidationError('a value in the request cannot be stored (invalid characters or out of range)');
  if (!(err instanceof IntegrityConstraintViolationError)) return undefined;
  const known = err.constraint ? MESSAGES[err.constraint] : undefined;
  if (known) return known();
  if (err instanceof UniqueIntegrityConstraintViolationError) return new ConflictError(`duplicate value for ${err.columns?.join(', ') || err.constraint}`);
  if (err instanceof ForeignKeyIntegrityConstraintViolationError) return new ValidationError(`a referenced record does not exist (${err.constraint})`);
  if (err instanceof CheckIntegrityConstraintViolationError) return new ConflictError(`the change violates ${err.constraint}`);
  return undefined;
}

/** True for a database error that is our bug, not an outage (SQL syntax, a value slonik cannot bind, a row off its schema): retrying cannot help. */
export function isDbProgrammingError(err: unknown): boolean {
  return err instanceof SchemaValidationError || err instanceof InputSyntaxError || err instanceof InvalidInputError;
}
