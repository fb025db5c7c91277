import { Stack } from 'aws-cdk-lib';
import { ArtifactStore, IArtifactStore } from '../../src';

/** One artifact store (one bucket, one KMS key) that every pipeline of the stack shares. */
export function sharedArtifactStore(stack: Stack): IArtifactStore {
  return new ArtifactStore(stack, 'SharedArtifacts');
}
