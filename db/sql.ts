// The sql tag every query module uses.
import { sql } from 'slonik';
export { sql };
