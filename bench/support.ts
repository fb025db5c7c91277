/** Fixed environment of every benchmark stack: no lookups, no credentials. */
export const BENCH_ENV = { account: '111111111111', region: 'us-east-1' };

/** A syntactically valid CodeConnections ARN; synthesis never calls AWS. */
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000';
