import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { demoUser, type Identity } from './users.js';

const STORAGE_KEY = 'intelgraph.user';

interface IdentityState {
  identity: Identity;
  switchUser: (userId: string) => void;
}

const IdentityContext = createContext<IdentityState | null>(null);

function storedUser(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Holds the acting demo user (remembered across reloads). */
export function IdentityProvider({ children }: { children: ReactNode }) {
  const [identity, setIdentity] = useState<Identity>(() => demoUser(storedUser()));
  const switchUser = useCallback((userId: string) => {
    const next = demoUser(userId);
    try {
      window.localStorage.setItem(STORAGE_KEY, next.userId);
    } catch {
      // storage may be disabled; the switch still holds for this tab
    }
    setIdentity(next);
  }, []);
  const value = useMemo(() => ({ identity, switchUser }), [identity, switchUser]);
  return <IdentityContext.Provider value={value}>{children}</IdentityContext.Provider>;
}

/** The acting user and the way to switch it. */
export function useIdentity(): IdentityState {
  const state = useContext(IdentityContext);
  if (!state) throw new Error('useIdentity needs an <IdentityProvider>');
  return state;
}
