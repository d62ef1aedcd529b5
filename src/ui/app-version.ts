import { version } from '../../package.json';

/** This Brokerlab's version (package.json), written into exported submissions and compared when grading. */
export const APP_VERSION: string = version;
