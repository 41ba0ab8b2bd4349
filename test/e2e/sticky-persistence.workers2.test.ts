// The sticky-persistence suite again with --workers 2 (issue 12: sticky sessions, drain and the guide must hold
// across worker processes); the helpers pass BERTH_TEST_WORKERS on as BERTH_WORKERS.
process.env['BERTH_TEST_WORKERS'] = '2';
await import('./sticky-persistence.test.js');
