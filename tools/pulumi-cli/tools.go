//go:build tools

// Package tools pins the Pulumi CLI's Go module (with go.mod and go.sum here) so that
// .ci/ensure-pulumi.sh builds the same CLI on every machine: go.sum makes the build refuse any
// module whose content differs from what was checked in.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
