package io.segstream.k8s;

import static io.segstream.core.testing.PomXml.child;
import static io.segstream.core.testing.PomXml.children;
import static io.segstream.core.testing.PomXml.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.Segstream;
import io.segstream.core.testing.PomXml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * What can be checked of the CLI image without a registry (none is reachable here, so CI builds no image): cli's
 * {@code images} profile configures Jib as the ingest Deployment and the retrain CronJob expect the image to be.
 * Property references are resolved from the root pom and the profile, as Maven would.
 */
class CliImageConfigTest {
    private static final Path ROOT = Path.of("..");
    private static final PomXml POM = new PomXml();

    private static Element jib;
    private static List<Map<String, Object>> objects;

    @BeforeAll
    static void read() throws Exception {
        POM.readParent(ROOT.resolve("pom.xml"));
        Element profile = POM.profile(PomXml.read(ROOT.resolve("cli/pom.xml")), "images");
        jib = child(PomXml.plugin(profile, "jib-maven-plugin"), "configuration");
        objects = Kustomization.render(Path.of("overlays/cpu"));
    }

    @Test
    void theCliImageIsTemurin17RunningTheSegstreamLauncher() {
        Element from = child(jib, "from");
        assertEquals("eclipse-temurin:17-jre", POM.resolve(text(from, "image")));
        List<String> platforms = children(child(from, "platforms"), "platform").stream()
                .map(p -> POM.resolve(text(p, "os")) + "/" + POM.resolve(text(p, "architecture"))).toList();
        assertEquals(List.of("linux/amd64"), platforms, "one architecture per build, amd64 unless -Dimages.architecture");
        assertEquals(Segstream.class.getName(), text(child(jib, "container"), "mainClass"));
        assertTrue(children(child(jib, "container"), "entrypoint").isEmpty(),
                "Jib's own entrypoint (java -cp ... MAIN_CLASS) runs the launcher; the pods pass only its arguments");
        assertEquals("false", POM.get("jib.skip"), "the profile turns Jib on");
    }

    @Test
    void ingestAndRetrainRunTheImageThisProfileNamesWithArgumentsOnly() {
        String image = POM.resolve(text(child(jib, "to"), "image"));
        String version = POM.get("project.version");
        assertEquals("segstream/cli:" + version, image);
        List<Map<String, Object>> containers = new ArrayList<>();
        containers.add(container(find("Deployment", "segstream-ingest"), "spec", "template"));
        containers.add(container(find("CronJob", "segstream-retrain"), "spec", "jobTemplate", "spec", "template"));
        for (Map<String, Object> c : containers) {
            assertEquals("segstream/cli:" + version.replace("-SNAPSHOT", ""), c.get("image"),
                    c.get("name") + " runs the release of this version");
            assertEquals(null, c.get("command"), c.get("name") + " keeps the image's entrypoint");
        }
    }

    private static Map<String, Object> find(String kind, String name) {
        return objects.stream().filter(o -> o.get("kind").equals(kind) && Kustomization.name(o).equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> object, String... podTemplatePath) {
        Object node = object;
        for (String key : podTemplatePath) {
            node = ((Map<String, Object>) node).get(key);
        }
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) node).get("spec");
        return ((List<Map<String, Object>>) spec.get("containers")).get(0);
    }

}
