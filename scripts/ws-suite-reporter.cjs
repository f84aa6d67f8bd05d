'use strict';
// A mocha reporter for scripts/ws-suite.sh: one line per test (✓ / ✗ with the first line of the
// error), then a summary counted by test, not by event. A test that passes and then fails through
// a late uncaught error (mocha reports both) counts once, as failing; tests that never ran (their
// suite's hook failed) count as failing too, so passing + failing is always the suite's size.
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_HOOK_END } = Mocha.Runner.constants;

class WsSuiteReporter {
  constructor(runner) {
    const passed = new Set();
    const failed = new Map();
    const all = new Set();
    const collect = (suite) => {
      for (const t of suite.tests) all.add(t.fullTitle());
      for (const s of suite.suites) collect(s);
    };
    collect(runner.suite);
    runner.on(EVENT_TEST_PASS, (test) => {
      passed.add(test.fullTitle());
      process.stdout.write(`  \u2713 ${test.fullTitle()}\n`);
    });
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const title = test.fullTitle();
      const first = String((err && err.message) || err).split('\n')[0].slice(0, 200);
      if (!failed.has(title)) failed.set(title, first);
      process.stdout.write(`  \u2717 ${title}\n      ${first}\n`);
    });
    runner.on(EVENT_HOOK_END, () => {});
    runner.once(EVENT_RUN_END, () => {
      for (const t of failed.keys()) passed.delete(t);
      const notRun = [...all].filter((t) => !passed.has(t) && !failed.has(t));
      const failing = failed.size + notRun.length;
      process.stdout.write('\nfailing:\n');
      for (const [t, why] of failed) process.stdout.write(`  ${t}\n      ${why}\n`);
      for (const t of notRun) process.stdout.write(`  ${t}\n      (did not run)\n`);
      process.stdout.write(`\nws suite: ${passed.size} of ${all.size} passing, ${failing} failing\n`);
    });
  }
}

module.exports = WsSuiteReporter;
