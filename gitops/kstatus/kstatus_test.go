package kstatus

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

func TestStub(t *testing.T) {
	_ = yaml.Unmarshal
	_, _ = status.Compute(&unstructured.Unstructured{})
}
