import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { kustomize, type K8sObject } from '../support/kustomize.js'

/**
 * deploy/README.md's quick start works in order: the overlay the reader writes in step 2 (its kustomization.yaml,
 * taken from the README itself) sets the image they built and pushed in step 1 on every sidecar container, for
 * every shipped overlay; left alone, the manifests would pull `emqx-lb-sidecar:0.1.0`, which no registry has.
 * With kubectl installed, `kubectl kustomize` renders the same image.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(join(ROOT, 'deploy', 'README.md'), 'utf8')
const OVERLAYS = ['deploy/base', 'deploy/overlays/aws-nlb', 'deploy/overlays/gcp', 'deploy/overlays/azure', 'deploy/overlays/evacuate-on-shutdown']

function quickStart (): { commands: string, kustomization: string } {
  const start = README.indexOf('\n## Quick start\n')
  const section = README.slice(start, README.indexOf('\n## ', start + 1))
  return {
    commands: /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '',
    kustomization: /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '',
  }
}

const sidecarImages = (objects: K8sObject[]): string[] => objects.flatMap((o) => {
  const spec = (o.spec as { template?: { spec?: { containers?: Array<{ name: string, image: string }> } } } | undefined)?.template?.spec
  return (spec?.containers ?? []).filter((c) => c.name.includes('sidecar')).map((c) => c.image)
})

t.test('the quick start builds, pushes (or kind-loads), sets the image, then applies, in that order', async (t) => {
  const { commands } = quickStart()
  const at = (re: RegExp): number => commands.search(re)
  const steps = [/docker build -t "\$IMAGE" \./, /docker push "\$IMAGE"/, /kustomize edit set image "emqx-lb-sidecar=\$IMAGE"/, /kubectl apply -k my-emqx/]
  const positions = steps.map(at)
  t.ok(positions.every((p) => p !== -1), 'every step is there')
  t.same([...positions].sort((a, b) => a - b), positions, 'in order')
  t.match(commands, /kind load docker-image "\$IMAGE"/, 'kind is named')
  t.match(commands, /kustomize create --resources \.\.\/deploy\/overlays\/aws-nlb/, 'the overlay the kustomization.yaml below names')
})

t.test('every overlay rendered through the README\'s kustomization pulls the image that was pushed', async (t) => {
  const { kustomization } = quickStart()
  t.match(kustomization, /newName: registry\.example\.com\/emqx-lb-sidecar\n\s+newTag: 0\.1\.0/, 'the IMAGE of step 1')
  t.same(sidecarImages(kustomize(join(ROOT, 'deploy/overlays/aws-nlb'))), ['emqx-lb-sidecar:0.1.0'], 'the shipped default, unpullable')
  const kubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim()
  for (const overlay of OVERLAYS) {
    // my-emqx/ beside deploy/, as the README's step 2 makes it
    const dir = mkdtempSync(join(ROOT, 'my-emqx-'))
    t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization.replace('../deploy/overlays/aws-nlb', relative(dir, join(ROOT, overlay))))
    const images = sidecarImages(kustomize(dir))
    t.ok(images.length > 0, `${overlay}: a sidecar container`)
    t.same([...new Set(images)], ['registry.example.com/emqx-lb-sidecar:0.1.0'], `${overlay}: the pushed image`)
    if (kubectl !== '') {
      const out = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' })
      t.equal(out.status, 0, `${overlay}: kubectl kustomize renders it`)
      t.notMatch(out.stdout, /image: emqx-lb-sidecar:0\.1\.0/, `${overlay}: kubectl renders no unpullable image`)
      t.match(out.stdout, /image: registry\.example\.com\/emqx-lb-sidecar:0\.1\.0/, `${overlay}: kubectl renders the pushed image`)
    }
  }
})
