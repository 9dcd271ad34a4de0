// Package kstatus checks how Flux and other kstatus readers see the operator's objects.
//
// The fixtures are the Argo CD health-check testdata, generated from the operator's own status
// code (JobStatuses, WatchRollup, Conditions) by GitopsFixturesTest, which also fails the Maven
// build when they drift (scripts/update-gitops-testdata.sh regenerates them). Two readers are
// checked:
//
//   - kstatus, sigs.k8s.io/cli-utils status.Compute: what Flux (Kustomization healthChecks /
//     wait), kpt and cli-utils-based tools use when nothing else is configured;
//   - Flux's CEL health checks (Kustomization spec.healthCheckExprs, Flux 2.5+), evaluated with
//     Flux's own evaluator (github.com/fluxcd/pkg/runtime/cel) using the expressions in
//     gitops/flux/kustomization.yaml, which docs/gitops.md must quote verbatim.
package kstatus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/kustomize"
	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

const (
	fixtureRoot   = "../argocd/resource_customizations/albjobs.io"
	kustomization = "../flux/kustomization.yaml"
	docsPath      = "../../docs/gitops.md"
)

// celError marks a fixture on which Flux's CEL evaluation returns an error (Flux keeps
// waiting and reports the error until the health check timeout).
const celError = "error"

type fixtureCase struct {
	kind    string
	file    string
	kstatus status.Status // sigs.k8s.io/cli-utils status.Compute
	cel     string        // Flux healthCheckExprs: InProgress, Failed, Current or celError
	note    string
}

var cases = []fixtureCase{
	{"AsyncJob", "no-status.yaml", status.CurrentStatus, celError,
		"kstatus: no conditions = Current; CEL: no such attribute 'status' until the operator writes one"},
	{"AsyncJob", "pending.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJob", "processing.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJob", "succeeded.yaml", status.CurrentStatus, "Current", ""},
	{"AsyncJob", "failed.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJob", "failed-no-error-message.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJob", "stalled-secret-not-found.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJob", "stalled-job-not-found.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJob", "stalled-invalid-credentials.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJob", "generation-behind.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJob", "succeeded-generation-behind.yaml", status.InProgressStatus, "InProgress",
		"the operator never re-observes a finished job, so this stays InProgress (Argo CD: Healthy)"},
	{"AsyncJobWatch", "no-status.yaml", status.CurrentStatus, celError,
		"kstatus: no conditions = Current; CEL: no such attribute 'status' until the operator writes one"},
	{"AsyncJobWatch", "ready.yaml", status.CurrentStatus, "Current", ""},
	{"AsyncJobWatch", "jobs-in-flight.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJobWatch", "children-listing-denied.yaml", status.CurrentStatus, "Current",
		"ChildrenListed=False never makes the watch Stalled: health follows the jobs"},
	{"AsyncJobWatch", "children-listing-denied-jobs-in-flight.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJobWatch", "children-listed.yaml", status.CurrentStatus, "Current", ""},
	{"AsyncJobWatch", "job-failed.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJobWatch", "job-failed-jobs-in-flight.yaml", status.InProgressStatus, "Failed",
		"kstatus takes the first True of Reconciling/Stalled in list order (Reconciling comes first)"},
	{"AsyncJobWatch", "invalid-credentials.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJobWatch", "secret-not-found.yaml", status.FailedStatus, "Failed", ""},
	{"AsyncJobWatch", "throttled.yaml", status.InProgressStatus, "InProgress", ""},
	{"AsyncJobWatch", "settling-ingress.yaml", status.InProgressStatus, "InProgress",
		"Settling: Ready=False, Reconciling=True until the ALB Ingress Controller reconciled the change"},
	{"AsyncJobWatch", "settling-fenced.yaml", status.InProgressStatus, "InProgress",
		"reconciled, waiting --settle-margin and a poll for ALB to list the jobs"},
	{"AsyncJobWatch", "settling-spec.yaml", status.InProgressStatus, "InProgress",
		"the watch's own spec changed: spec.settlePeriod"},
	{"AsyncJobWatch", "change-failed.yaml", status.FailedStatus, "Failed",
		"Stalled=True (ChangeFailed), Reconciling=False"},
	{"AsyncJobWatch", "settle-timeout.yaml", status.FailedStatus, "Failed",
		"Stalled=True (SettleTimeout), Reconciling=False"},
	{"AsyncJobWatch", "changes-not-tracked.yaml", status.CurrentStatus, "Current",
		"ChangesTracked=False never makes the watch Stalled: health follows the jobs"},
	{"AsyncJobWatch", "suspended.yaml", status.InProgressStatus, "Current",
		"kstatus: Ready=False without Reconciling/Stalled = InProgress; the CEL treats Suspended as Current"},
	{"AsyncJobWatch", "generation-behind.yaml", status.InProgressStatus, "InProgress", ""},
}

func load(t *testing.T, kind, file string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureRoot, kind, "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	// YAML -> JSON -> Unstructured the way client-go decodes API answers: integers become
	// int64 (a plain yaml.Unmarshal into a map gives float64, which kstatus rejects).
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("%s/%s: %v", kind, file, err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatalf("%s/%s: %v", kind, file, err)
	}
	if u.GetKind() != kind || u.GetAPIVersion() != "albjobs.io/v1alpha1" {
		t.Fatalf("%s/%s: is %s %s", kind, file, u.GetAPIVersion(), u.GetKind())
	}
	return u
}

func TestKstatusCompute(t *testing.T) {
	for _, c := range cases {
		t.Run(c.kind+"/"+c.file, func(t *testing.T) {
			res, err := status.Compute(load(t, c.kind, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.kstatus {
				t.Errorf("status.Compute = %s (%q), want %s", res.Status, res.Message, c.kstatus)
			}
			t.Logf("kstatus %-13s %-34s -> %-10s %s", c.kind, c.file, res.Status, res.Message)
		})
	}
}

// healthCheckExprs reads spec.healthCheckExprs of gitops/flux/kustomization.yaml, by kind.
func healthCheckExprs(t *testing.T) map[string]kustomize.CustomHealthCheck {
	t.Helper()
	data, err := os.ReadFile(kustomization)
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Spec struct {
			HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	byKind := map[string]kustomize.CustomHealthCheck{}
	for _, e := range k.Spec.HealthCheckExprs {
		if e.APIVersion != "albjobs.io/v1alpha1" {
			t.Fatalf("healthCheckExprs entry for %s has apiVersion %s", e.Kind, e.APIVersion)
		}
		byKind[e.Kind] = e
	}
	for _, kind := range []string{"AsyncJob", "AsyncJobWatch"} {
		if _, ok := byKind[kind]; !ok {
			t.Fatalf("%s has no healthCheckExprs entry for %s", kustomization, kind)
		}
	}
	return byKind
}

func TestFluxHealthCheckExprs(t *testing.T) {
	exprs := healthCheckExprs(t)
	for _, c := range cases {
		t.Run(c.kind+"/"+c.file, func(t *testing.T) {
			e := exprs[c.kind]
			evaluator, err := fluxcel.NewStatusEvaluator(&e.HealthCheckExpressions)
			if err != nil {
				t.Fatalf("Flux would refuse the healthCheckExprs of %s: %v", c.kind, err)
			}
			got := celError
			res, err := evaluator.Evaluate(context.Background(), load(t, c.kind, c.file))
			if err == nil {
				got = string(res.Status)
			}
			if got != c.cel {
				t.Errorf("Flux CEL health = %s (error: %v), want %s", got, err, c.cel)
			}
			detail := ""
			if err != nil {
				detail = err.Error()
			}
			t.Logf("flux-cel %-13s %-34s -> %-10s %s", c.kind, c.file, got, detail)
		})
	}
}

// Every fixture has an expectation here, so a new Argo CD test case cannot skip this reader.
func TestEveryFixtureHasAnExpectation(t *testing.T) {
	want := map[string]bool{}
	for _, c := range cases {
		want[c.kind+"/"+c.file] = true
	}
	var missing []string
	for _, kind := range []string{"AsyncJob", "AsyncJobWatch"} {
		files, err := filepath.Glob(filepath.Join(fixtureRoot, kind, "testdata", "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no fixtures for %s under %s", kind, fixtureRoot)
		}
		for _, f := range files {
			key := kind + "/" + filepath.Base(f)
			if !want[key] {
				missing = append(missing, key)
			}
			delete(want, key)
		}
	}
	for key := range want {
		missing = append(missing, key+" (listed here, no such file)")
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fixtures without a kstatus expectation: %s", strings.Join(missing, ", "))
	}
}

// docs/gitops.md shows the tested expressions, not a hand-copied variant of them.
func TestDocsQuoteTheTestedExprs(t *testing.T) {
	docs, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	for kind, e := range healthCheckExprs(t) {
		for name, expr := range map[string]string{"current": e.Current, "inProgress": e.InProgress, "failed": e.Failed} {
			if expr == "" {
				continue
			}
			line := fmt.Sprintf("%s: %q", name, expr)
			if !strings.Contains(string(docs), line) {
				t.Errorf("%s does not quote the %s expression for %s as in %s:\n  %s", docsPath, name, kind, kustomization, line)
			}
		}
	}
}
