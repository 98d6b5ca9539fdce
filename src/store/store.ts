// The storage seam. SQLite is the embedded default; a PostgreSQL store can
// implement the same interface. Async from the start, even though
// better-sqlite3 is synchronous, so that callers never need to change.

/** One handled message, stored in a single transaction. */
export interface TurnRecord {
  /** Keyed hash of the person's number: never the number itself. */
  subject: string;
  /** Twilio's MessageSid; null when there is none (the chat simulator). */
  messageId: string | null;
  session: unknown;
  replies: string[];
  at: Date;
}

export interface Store {
  getSession(subject: string): Promise<unknown | null>;
  /** The replies already sent for this message, if it was handled before. */
  getProcessed(messageId: string): Promise<string[] | null>;
  /** Saves the session and the replies at once; false if messageId was already handled. */
  saveTurn(turn: TurnRecord): Promise<boolean>;
  /** Erase everything held about this person. */
  forget(subject: string): Promise<void>;
  close(): Promise<void>;
}
