import { describe, expect, it } from 'vitest';
import { metricsFormatFor } from './metrics-exposition.js';

describe('metricsFormatFor', () => {
  it.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['application/json', 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['application/openmetrics-text;q=0.2, text/plain', 'prometheus'],
    ['text/plain;q=0.3, application/openmetrics-text;q=0.5', 'openmetrics'],
    ['application/openmetrics-text, */*', 'openmetrics'],
    // Prometheus 2.x and 3.x defaults.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      'openmetrics',
    ],
    ['application/openmetrics-text;q=abc', 'prometheus'],
  ] as const)('%s -> %s', (accept, format) => {
    expect(metricsFormatFor(accept)).toBe(format);
  });
});
