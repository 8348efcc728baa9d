import { storageSuite } from '../fixtures/storageSuite.js';

storageSuite('SQLite (WAL)', async () => ({}));
