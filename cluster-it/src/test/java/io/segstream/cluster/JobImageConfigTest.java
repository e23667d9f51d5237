package io.segstream.cluster;

import static io.segstream.core.testing.PomXml.child;
import static io.segstream.core.testing.PomXml.children;
import static io.segstream.core.testing.PomXml.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.segstream.core.testing.PomXml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * What can be checked of the job image without a registry (none is reachable here, so no image is built in CI):
 * inference-job's {@code images} profile configures Jib as the FlinkDeployment in {@code k8s/base} expects the image
 * to be. Property references are resolved from the root pom and the profile, as Maven would.
 */
class JobImageConfigTest {
    private static final Path ROOT = Path.of("..");

    private static Element profile;
    private static Element jib;
    private static final PomXml POM = new PomXml();
    private static JsonNode deployment;

    @BeforeAll
    static void read() throws Exception {
        POM.readParent(ROOT.resolve("pom.xml"));
        profile = POM.profile(PomXml.read(ROOT.resolve("inference-job/pom.xml")), "images");
        jib = child(PomXml.plugin(profile, "jib-maven-plugin"), "configuration");
        deployment = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("k8s/base/inference.yaml").toFile());
    }

    @Test
    void theJobImageIsFlinksJava17ImageForBothArchitecturesWithItsEntrypoint() {
        Element from = child(jib, "from");
        assertEquals("flink:2.1.1-java17", POM.resolve(text(from, "image")));
        List<String> architectures = children(child(from, "platforms"), "platform").stream()
                .map(p -> text(p, "os") + "/" + text(p, "architecture")).toList();
        assertEquals(List.of("linux/amd64", "linux/arm64"), architectures);
        assertEquals("INHERIT", text(child(jib, "container"), "entrypoint"),
                "the Flink image's /docker-entrypoint.sh must start the JobManager and TaskManagers");
        assertEquals("segstream/inference-job:" + POM.get("project.version"),
                POM.resolve(text(child(jib, "to"), "image")));
        assertEquals("segstream/inference-job", deployment.path("spec").path("image").asText().split(":")[0],
                "the FlinkDeployment runs the image this profile names");
        assertEquals("false", POM.get("jib.skip"), "the profile turns Jib on");
    }

    @Test
    void theJobJarLiesWhereTheFlinkDeploymentsJarUriPointsAndNothingElseOfJibsLayersRemains() {
        Map<String, String> into = extraDirectories();
        String usrlib = "${project.build.directory}/image/usrlib";
        assertEquals("/opt/flink/usrlib", into.get(usrlib));
        String copied = null;
        for (Element plugin : children(child(child(profile, "build"), "plugins"), "plugin")) {
            if (text(plugin, "artifactId").equals("maven-antrun-plugin")) {
                Element copy = (Element) plugin.getElementsByTagName("copy").item(0);
                assertEquals("${project.build.directory}/${project.build.finalName}-job.jar", copy.getAttribute("file"),
                        "the image carries the shaded job jar");
                copied = copy.getAttribute("tofile");
            }
        }
        assertTrue(copied != null && copied.startsWith(usrlib + "/"), "the job jar is copied into " + usrlib);
        String jarUri = deployment.path("spec").path("job").path("jarURI").asText();
        assertEquals(jarUri, "local:///opt/flink/usrlib" + copied.substring(usrlib.length()));

        String appRoot = text(child(jib, "container"), "appRoot");
        List<String> globs = new ArrayList<>();
        Element extensions = child(jib, "pluginExtensions");
        for (int i = 0; i < extensions.getElementsByTagName("glob").getLength(); i++) {
            globs.add(extensions.getElementsByTagName("glob").item(i).getTextContent().trim());
        }
        assertEquals(List.of(appRoot + "/**"), globs, "Jib's class and dependency layers are filtered out");
    }

    @Test
    void onnxRuntimeLiesInFlinksLibAndTheDeploymentLoadsItParentFirst() {
        assertEquals("/opt/flink/lib", extraDirectories().get("${project.build.directory}/image/lib"));
        assertEquals("${onnxruntime.artifact}", artifactItems(), "ONNX Runtime, and only it, is copied into image/lib");
        String patterns = deployment.path("spec").path("flinkConfiguration")
                .path("classloader.parent-first-patterns.additional").asText();
        assertTrue(List.of(patterns.split(";")).contains(JobJarOnClusterITCase.ONNX_RUNTIME_PARENT_FIRST), patterns);
        assertEquals("/opt/segstream/model", extraDirectories().get("${images.model}"));
        List<String> args = new ArrayList<>();
        deployment.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        assertEquals("/opt/segstream/model", args.get(args.indexOf("--model") + 1),
                "the job serves the model the image carries");
    }

    private static Map<String, String> extraDirectories() {
        Map<String, String> into = new HashMap<>();
        for (Element path : children(child(child(jib, "extraDirectories"), "paths"), "path")) {
            into.put(text(path, "from"), text(path, "into"));
        }
        return into;
    }

    /** The artifact ids the profile copies with the dependency plugin, comma-separated. */
    private static String artifactItems() {
        List<String> ids = new ArrayList<>();
        var items = profile.getElementsByTagName("artifactItem");
        for (int i = 0; i < items.getLength(); i++) {
            ids.add(text((Element) items.item(i), "artifactId"));
        }
        return String.join(",", ids);
    }

}
