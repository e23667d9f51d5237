package io.segstream.edge;

import static io.segstream.core.testing.PomXml.child;
import static io.segstream.core.testing.PomXml.children;
import static io.segstream.core.testing.PomXml.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.testing.PomXml;
import io.segstream.edge.agent.EdgeMain;
import io.segstream.edge.agent.EdgeOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What can be checked of the JetPack 6 image without a registry, an arm64 machine or a Jetson (none is here, so no
 * build makes the image): jetson-edge's {@code images} profile configures Jib as the agent, its example edge file and
 * README.md's device steps expect. Property references are resolved from the root pom and the profile, as Maven would.
 * (The few DOM helpers repeat cluster-it's JobImageConfigTest on purpose: the modules share no test code.)
 */
class EdgeImageConfigTest {
    private static final PomXml POM = new PomXml();

    private static Element modulePom;
    private static Element profile;
    private static Element jib;
    private static String readme;

    @BeforeAll
    static void read() throws Exception {
        POM.readParent(Path.of("../pom.xml"));
        modulePom = PomXml.read(Path.of("pom.xml"));
        profile = POM.profile(modulePom, "images");
        jib = child(PomXml.plugin(profile, "jib-maven-plugin"), "configuration");
        readme = Files.readString(Path.of("README.md"));
    }

    @Test
    void theProfileIsOffInANormalBuildAndTurnsJibOnWithTheParentsPinnedVersion() {
        assertTrue(children(profile, "activation").isEmpty(), "the images profile must only run with -Pimages");
        assertEquals("false", POM.get("jib.skip"), "the profile turns Jib on");
        assertTrue(children(PomXml.plugin(profile, "jib-maven-plugin"), "version").isEmpty(),
                "Jib's version comes from the parent's pluginManagement");
        assertTrue(children(child(modulePom, "build"), "plugins").stream()
                        .flatMap(plugins -> children(plugins, "plugin").stream())
                        .noneMatch(p -> text(p, "artifactId").equals("jib-maven-plugin")),
                "Jib is configured in the images profile only");
    }

    @Test
    void theImageIsLinuxArm64OnlyOnAPinnedL4tR36Base() {
        Element from = child(jib, "from");
        List<String> platforms = children(child(from, "platforms"), "platform").stream()
                .map(p -> text(p, "os") + "/" + text(p, "architecture")).toList();
        assertEquals(List.of("linux/arm64"), platforms);
        String base = POM.resolve(text(from, "image"));
        Matcher m = Pattern.compile("nvcr\\.io/nvidia/l4t-jetpack(:r36\\.\\d+\\.\\d+)?(@sha256:[0-9a-f]{64})?")
                .matcher(base);
        assertTrue(m.matches() && (m.group(1) != null || m.group(2) != null),
                "the base must be NVIDIA's l4t-jetpack of L4T r36 (JetPack 6), pinned by tag or digest: " + base);
        assertEquals(base, POM.resolve(label("org.opencontainers.image.base.name")));
        assertEquals("segstream/jetson-edge:" + POM.get("project.version"), POM.resolve(text(child(jib, "to"), "image")));
    }

    @Test
    void theEntrypointRunsEdgeMainOnTheLayeredJavaWithTheDevicesOnnxRuntime() throws Exception {
        List<String> entrypoint = list(child(child(jib, "container"), "entrypoint"));
        Element jre = extraDirectory("${images.jre}");
        assertEquals(text(jre, "into") + "/bin/java", entrypoint.get(0), "the entrypoint runs the layered Java runtime");
        String appRoot = text(child(jib, "container"), "appRoot");
        int cp = entrypoint.indexOf("-cp");
        assertEquals("@" + appRoot + "/jib-classpath-file", entrypoint.get(cp + 1));
        String mainClass = entrypoint.get(cp + 2);
        assertEquals(entrypoint.size() - 1, cp + 2, "the main class ends the entrypoint; the edge file is in args");
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()), mainClass + ".main must be static");
        assertTrue(entrypoint.contains("-Donnxruntime.native.path=/opt/onnxruntime"), entrypoint.toString());
        assertTrue(dockerRun().contains(":/opt/onnxruntime:ro"),
                "README.md's docker run mounts the device's ONNX Runtime where the image looks for it");

        EdgeMain.Arguments args = EdgeMain.Arguments.parse(list(child(child(jib, "container"), "args"))
                .toArray(String[]::new));
        assertEquals(Path.of("/etc/segstream/edge.yaml"), args.edgeFile());
        assertTrue(dockerRun().contains(":" + args.edgeFile() + ":ro"), "README.md's docker run mounts the edge file");
        assertEquals("PASSIVE", text(child(child(jib, "container"), "environment"), "OMP_WAIT_POLICY"));
    }

    @Test
    void theExposedPortIsTheMetricsPortTheAgentIsGivenAndTheSystemdUnitUses() {
        int port = EdgeMain.Arguments.parse(list(child(child(jib, "container"), "args")).toArray(String[]::new))
                .metricsPort();
        assertEquals(List.of(String.valueOf(port)), list(child(child(jib, "container"), "ports")));
        Matcher unit = Pattern.compile("ExecStart=.*--metrics-port (\\d+)").matcher(readme);
        assertTrue(unit.find(), "README.md's systemd unit passes --metrics-port");
        assertEquals(String.valueOf(port), unit.group(1), "the image serves /healthz where the systemd unit does");
        assertTrue(dockerRun().contains("-p " + port + ":" + port), "README.md's docker run publishes " + port);
    }

    @Test
    void theVolumesAreTheSpoolAndEngineCacheOfTheExampleEdgeFileAndTheReadme() throws Exception {
        List<String> volumes = list(child(child(jib, "container"), "volumes"));
        EdgeOptions example = EdgeOptions.read(Path.of("edge.example.yaml"));
        assertEquals(List.of(example.spoolDir().toString(), example.engineCache().toString()), volumes);
        Matcher spool = Pattern.compile("(?m)^spool: (\\S+)").matcher(readme);
        assertTrue(spool.find(), "README.md's edge file names a spool");
        assertEquals(spool.group(1), volumes.get(0), "the image's spool is the README's");
        assertTrue(readme.contains("StateDirectory=segstream") && volumes.get(0).startsWith("/var/lib/segstream/"),
                "the spool lies in the systemd unit's state directory, /var/lib/segstream");
        for (String volume : volumes) {
            assertTrue(dockerRun().contains(":" + volume + " ") || dockerRun().contains(":" + volume + "\n"),
                    "README.md's docker run mounts " + volume);
        }
    }

    @Test
    void theAgentRunsAsANonRootUserAndTheImageIsLabelledWithItsVersions() {
        String user = text(child(jib, "container"), "user");
        int uid = Integer.parseInt(user.split(":")[0]);
        assertTrue(uid > 0, "the agent must not run as root: " + user);
        assertTrue(readme.contains("-o " + uid + " "), "README.md has the host folders made over to uid " + uid);
        assertEquals(POM.get("project.version"), POM.resolve(label("org.opencontainers.image.version")));
        assertEquals(POM.get("onnxruntime.version"), POM.resolve(label("io.segstream.onnxruntime.version")),
                "the label names the ONNX Runtime version the device's build must match");
    }

    /** The first fenced block of README.md that runs the image. */
    private static String dockerRun() {
        Matcher block = Pattern.compile("(?s)```bash\\n(.*?)```").matcher(readme);
        while (block.find()) {
            if (block.group(1).contains("docker run")) {
                return block.group(1);
            }
        }
        throw new AssertionError("README.md has no docker run block");
    }

    private static String label(String name) {
        return text(child(child(jib, "container"), "labels"), name);
    }

    private static Element extraDirectory(String from) {
        for (Element path : children(child(child(jib, "extraDirectories"), "paths"), "path")) {
            if (text(path, "from").equals(from)) {
                return path;
            }
        }
        throw new AssertionError("no extra directory from " + from);
    }

    private static List<String> list(Element parent) {
        List<String> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e.getTextContent().trim());
            }
        }
        return out;
    }

}
