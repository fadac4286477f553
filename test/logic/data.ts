import * as path from 'node:path';

/** External ground truth lives beside the project, never inside it (see ../shared/data/README.md). */
export const SHARED_DATA = path.resolve(__dirname, '../../..', 'shared/data');
