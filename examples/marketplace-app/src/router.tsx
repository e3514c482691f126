import { useEffect, useState } from 'react';

/** The app's location, kept in the URL hash so any static server can serve it. */
export interface Route {
  /** Path segments after `#/`, decoded. */
  segments: string[];
  params: URLSearchParams;
}

/** Parses `#/a/b?x=1` into its segments and query. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const segments = path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Builds a hash href from path segments (each encoded) and optional query parameters. */
export function href(segments: string[], params?: Record<string, string | undefined>): string {
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') query.set(k, v);
  const qs = query.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string): void {
  window.location.hash = to.startsWith('#') ? to.slice(1) : to;
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** What a route shows: one of the app's pages, or the not-found page for anything else. */
export type Page =
  | { page: 'marketplace'; tab: 'catalog' | 'installed' }
  | { page: 'plugin'; pluginId: string }
  | { page: 'runner'; pluginId: string | null; tab: 'run' | 'audit' }
  | { page: 'contracts'; subject: string | null }
  | { page: 'governance'; tab: 'approvals' | 'requests' | 'new' }
  | { page: 'finops' }
  | { page: 'moderation' }
  | { page: 'not-found'; path: string };

/** Matches path segments to a page; unknown paths are `not-found`, never silently the marketplace. */
export function matchRoute(segments: readonly string[]): Page {
  const [first, second, third, ...rest] = segments;
  const notFound: Page = { page: 'not-found', path: `/${segments.join('/')}` };
  if (rest.length > 0) return notFound;
  // Only a plugin's runner has a sub-page: its audit log (`#/runner/<id>/audit`).
  if (third !== undefined)
    return first === 'runner' && second !== undefined && third === 'audit'
      ? { page: 'runner', pluginId: second, tab: 'audit' }
      : notFound;
  switch (first) {
    case undefined:
      return { page: 'marketplace', tab: 'catalog' };
    case 'marketplace':
      if (second === undefined) return { page: 'marketplace', tab: 'catalog' };
      return second === 'installed' ? { page: 'marketplace', tab: 'installed' } : notFound;
    case 'plugins':
      return second === undefined ? notFound : { page: 'plugin', pluginId: second };
    case 'runner':
      return { page: 'runner', pluginId: second ?? null, tab: 'run' };
    case 'contracts':
      return { page: 'contracts', subject: second ?? null };
    case 'governance':
      if (second === undefined) return { page: 'governance', tab: 'approvals' };
      return second === 'approvals' || second === 'requests' || second === 'new'
        ? { page: 'governance', tab: second }
        : notFound;
    case 'finops':
      return second === undefined ? { page: 'finops' } : notFound;
    case 'moderation':
      return second === undefined ? { page: 'moderation' } : notFound;
    default:
      return notFound;
  }
}
