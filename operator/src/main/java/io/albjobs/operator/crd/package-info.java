/**
 * The API: {@code AsyncJob} and {@code AsyncJobWatch} with their spec and status types, from which
 * crds/ and docs/api.md are generated (scripts/update-crds.sh); validation rules live with the
 * fields ({@code Validation}).
 */
package io.albjobs.operator.crd;
