/**
 * Where the audit trail is kept: an append-only log with no way to change or remove an entry.
 * The relay's SQLite store implements it (store/sqlite-audit.ts); a shared database can take its
 * place when several relays serve one help desk, by implementing these two methods.
 */
import type { AuditAction, AuditEntry } from '../../shared/audit.js';

/** An entry before the log numbers it. */
export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  action?: AuditAction;
  deviceId?: string;
  sessionId?: string;
  /** Only entries older than this id (paging backwards). */
  beforeId?: number;
  /** At most this many (newest first); all when absent. */
  limit?: number;
}

export interface AuditLog {
  /** Stores the entry and returns it with the id the log gave it. */
  append(entry: NewAuditEntry): AuditEntry;
  /** Newest first. */
  query(filter?: AuditFilter): AuditEntry[];
}
