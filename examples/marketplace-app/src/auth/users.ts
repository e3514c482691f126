/** Who the app acts as; in development mode these travel as `x-intelgraph-*` headers. */
export interface Identity {
  userId: string;
  orgId: string;
  roles: string[];
}

/** The demo's users, all in org `acme`. */
export const DEMO_USERS: readonly Identity[] = [
  { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] },
  { userId: 'bob', orgId: 'acme', roles: ['steward'] },
  { userId: 'carol', orgId: 'acme', roles: ['steward', 'legal'] },
  { userId: 'dave', orgId: 'acme', roles: ['moderator'] },
];

/** The demo user with this id, or the first one. */
export function demoUser(userId: string | null | undefined): Identity {
  return DEMO_USERS.find((u) => u.userId === userId) ?? (DEMO_USERS[0] as Identity);
}
