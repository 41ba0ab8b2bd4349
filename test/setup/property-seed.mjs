// Property tests (fast-check) are reproducible: every run of `npm test` uses one seed, so CI cannot
// fail on a case no one can replay. BERTH_PROPERTY_SEED=<n> explores other seeds; a failure prints
// its seed and path, and a found case becomes an explicit regression test next to the property.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.BERTH_PROPERTY_SEED ?? 20261130) });
