// Demo data for `npm start` and the browser tests.
export { DEMO_USERS, demoPassword, seedDemo, type SeedResult } from './seed';
