// Runs the bundle (dist/centralizer.mjs) directly, whatever the sources' dates: the bench measures
// what an install runs. bench/run.ts builds the bundle first.
const mod = await import('../dist/centralizer.mjs');
process.exitCode = await mod.main(process.argv.slice(2));
