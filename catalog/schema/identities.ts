import { z } from "zod";

/**
 * `gantry:identities`: the Google service accounts the pipeline runs as, one per trust level. They belong to a
 * Pulumi project of their own (identities/, stack `pipeline`), applied by a project owner and never by Jenkins,
 * so no identity the pipeline runs as can change what any of them may do (docs/jenkins.md, "Threat model").
 */

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
// GCS bucket names: 3-63 lowercase letters, digits, -, _ and dots, starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/;

const project = (what: string) => z.string().regex(PROJECT_ID, "must be a GCP project id").meta({ description: what });

export const identitiesConfig = z
  .strictObject({
    stateBucket: z
      .string()
      .regex(BUCKET, "must be a Cloud Storage bucket name (the one in PULUMI_BACKEND_URL=gs://<bucket>)")
      .meta({ description: "Bucket of the shared Pulumi state backend; each identity may write only its own stacks' objects. Uniform bucket-level access must be on (IAM conditions need it)." }),
    pulumiProject: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi project name").default("gantry").meta({ description: "name: in Pulumi.yaml; state objects live under .pulumi/stacks/<pulumiProject>/." }),
    preview: project("Project the pull-request previews deploy into (dev's). The preview identity has roles there and nowhere else."),
    previewBase: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi stack name")
      .refine((s) => !s.startsWith("pr-"), "must be the stack previews are made from, not a preview")
      .default("dev")
      .meta({ description: "The stack previews are made from and pull requests are planned against: the preview identity may read its state (never write it), for the plan's diff." }),
    staging: project("Project staging deploys into."),
    prod: project("Project prod deploys into."),
    region: z.string().regex(/^[a-z]+-[a-z]+[0-9]{1,2}$/, 'must be a region id such as "europe-west1"').meta({ description: "Region of staging's repository (prod pulls from it)." }),
    agentsProject: project("Project of the GKE cluster the Jenkins agents run in: its workload pool <project>.svc.id.goog names the agents' Kubernetes service accounts."),
    namespaces: z
      .strictObject({
        trusted: z.string().regex(DNS1123_LABEL, "must be a Kubernetes namespace name").default("jenkins"),
        untrusted: z.string().regex(DNS1123_LABEL, "must be a Kubernetes namespace name").default("jenkins-pr"),
      })
      .prefault({})
      .refine((n) => n.trusted !== n.untrusted, { message: "the pull-request agents need a namespace of their own", path: ["untrusted"] })
      .meta({ description: "Namespaces of the agent pods: staging and prod in trusted, pull-request work in untrusted (gantry:jenkins.namespace and untrusted.namespace)." }),
    stagingRepository: z
      .string()
      .regex(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, "must be an Artifact Registry repository id")
      .default("services")
      .meta({ description: "Repository in the staging project prod promotes from: the prod identity may grant pulls on it, nothing more." }),
  })
  .meta({ description: "The pipeline's identities by trust level (pull request, staging, prod), their least-privilege roles and Workload Identity bindings." });

export type IdentitiesConfig = z.output<typeof identitiesConfig>;
