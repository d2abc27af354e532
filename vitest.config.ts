import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernel tests create namespaces and sockets; keep files in separate forks so an fd or a
    // namespace held by one file can never leak into another's assertions.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
