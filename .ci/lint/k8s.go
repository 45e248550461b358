package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// kustomization is the part of kustomize's Kustomization our file uses; any other
// field is rejected, so a typo cannot pass unnoticed.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors,omitempty"`
	} `json:"labels,omitempty"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
		Digest  string `json:"digest,omitempty"`
	} `json:"images,omitempty"`
}

// shutdownGrace is how long the bot lets in-flight work run after SIGTERM
// (bot.Config.ShutdownGrace's default), plus closing Redis and HTTP.
const shutdownGrace = 25 * time.Second

// CheckK8s decodes dir/kustomization.yaml and every resource it lists strictly into
// the k8s.io/api types (unknown fields rejected), then checks the Deployment: 2
// replicas, readiness on /readyz and liveness on /healthz, tokens from a Secret,
// requests and limits, a preStop that fits terminationGracePeriodSeconds with the
// bot's own shutdown grace, and a PodDisruptionBudget selecting its pods.
func CheckK8s(dir string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var k kustomization
	if err := decodeFile(filepath.Join(dir, "kustomization.yaml"), &k); err != nil {
		return []string{err.Error()}
	}
	var deploys []appsv1.Deployment
	var pdbs []policyv1.PodDisruptionBudget
	for _, res := range k.Resources {
		path := filepath.Join(dir, res)
		data, err := os.ReadFile(path)
		if err != nil {
			bad("kustomization.yaml: resource %s: %v", res, err)
			continue
		}
		for i, doc := range bytes.Split(data, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				bad("%s (document %d): %v", res, i+1, err)
				continue
			}
			where := fmt.Sprintf("%s (%s %s)", res, meta.APIVersion, meta.Kind)
			switch meta.APIVersion + " " + meta.Kind {
			case "apps/v1 Deployment":
				var d appsv1.Deployment
				if err := yaml.UnmarshalStrict(doc, &d); err != nil {
					bad("%s: %v", where, err)
					continue
				}
				deploys = append(deploys, d)
			case "policy/v1 PodDisruptionBudget":
				var p policyv1.PodDisruptionBudget
				if err := yaml.UnmarshalStrict(doc, &p); err != nil {
					bad("%s: %v", where, err)
					continue
				}
				pdbs = append(pdbs, p)
			case "v1 ConfigMap":
				var c corev1.ConfigMap
				if err := yaml.UnmarshalStrict(doc, &c); err != nil {
					bad("%s: %v", where, err)
				}
			case "v1 Secret":
				bad("%s: a Secret in the repository would hold tokens; create it with kubectl (see README)", where)
			default:
				bad("%s: a kind this check does not know; teach .ci/lint/k8s.go to decode it strictly", where)
			}
		}
	}
	if len(deploys) != 1 {
		return append(problems, fmt.Sprintf("manifests: %d Deployments, want 1", len(deploys)))
	}
	d := deploys[0]
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		bad("deployment: replicas %v, want 2 by default", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return append(problems, "deployment: want exactly one container")
	}
	c := pod.Containers[0]
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
		bad("deployment: readiness probe is not GET /readyz")
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		bad("deployment: liveness probe is not GET /healthz")
	}
	fromSecret := map[string]bool{}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			fromSecret[e.Name] = true
		} else if strings.HasPrefix(e.Value, "xox") || strings.HasPrefix(e.Value, "xapp-") {
			bad("deployment: %s holds a token in the manifest", e.Name)
		}
	}
	for _, name := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "REDIS_URL"} {
		if !fromSecret[name] {
			bad("deployment: %s does not come from a Secret", name)
		}
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			bad("deployment: no %s request", r)
		}
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		bad("deployment: no memory limit")
	}
	var preStop time.Duration
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	} else {
		bad("deployment: no preStop sleep (the image has no shell for an exec hook)")
	}
	grace := 30 * time.Second // Kubernetes' default
	if pod.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	}
	if preStop+shutdownGrace > grace {
		bad("deployment: preStop %v + the bot's shutdown %v exceed terminationGracePeriodSeconds %v: in-flight work would be killed", preStop, shutdownGrace, grace)
	}
	if len(pdbs) != 1 {
		bad("manifests: %d PodDisruptionBudgets, want 1", len(pdbs))
	} else if sel := pdbs[0].Spec.Selector; sel == nil || !labels.SelectorFromSet(sel.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels)) || len(sel.MatchLabels) == 0 {
		bad("pdb: its selector does not select the Deployment's pods")
	}
	return problems
}

func decodeFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		return fmt.Errorf("%s: %v", filepath.Base(path), err)
	}
	return nil
}
