#!/usr/bin/env bash
# projen's nextVersionCommand: the first release (no release tag yet; projen passes the initial
# v0.0.0 as LATEST_TAG) is 0.1.0, not 0.0.0. Later releases print nothing: the conventional
# commits since the last tag decide the bump.
if ! git rev-parse --verify --quiet "refs/tags/${LATEST_TAG:-none}" > /dev/null; then
  echo 0.1.0
fi
