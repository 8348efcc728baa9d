import type { Generated } from 'kysely';

/** Table shapes as kysely sees them. JSON columns are text (portable between SQLite and PostgreSQL); times are ISO-8601 UTC text. */
export interface LabelDatabase {
  users: UserTable;
  sessions: SessionTable;
  projects: ProjectTable;
  members: MemberTable;
  items: ItemTable;
  tasks: TaskTable;
  reviews: ReviewTable;
  files: FileTable;
}

export type Role = 'admin' | 'annotator' | 'reviewer';

export interface UserTable {
  id: Generated<number>;
  name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: string;
}

export interface SessionTable {
  /** sha256 of the cookie token, so a leaked database holds no usable session. */
  id: string;
  user_id: number;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}

export interface ProjectTable {
  id: Generated<number>;
  name: string;
  kind: 'dialogue' | 'image';
  description: string;
  schema: string;
  annotators_per_item: number;
  expiry_minutes: number;
  created_at: string;
}

export interface MemberTable {
  project_id: number;
  user_id: number;
}

export interface ItemTable {
  id: Generated<number>;
  project_id: number;
  key: string;
  kind: 'dialogue' | 'image';
  data: string;
  pre_annotation: string | null;
  created_at: string;
}

export type TaskStatus = 'assigned' | 'submitted' | 'expired' | 'skipped';

export interface TaskTable {
  id: Generated<number>;
  project_id: number;
  item_id: number;
  user_id: number;
  status: TaskStatus;
  expires_at: string;
  /** Optimistic lock: every write bumps it and must name the version it read. */
  version: number;
  result: string | null;
  submitted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReviewTable {
  id: Generated<number>;
  task_id: number;
  reviewer_id: number;
  verdict: 'approved' | 'rejected';
  comment: string;
  result: string | null;
  created_at: string;
}

export interface FileTable {
  sha256: string;
  name: string;
  mime: string;
  size: number;
  width: number;
  height: number;
  created_at: string;
}
