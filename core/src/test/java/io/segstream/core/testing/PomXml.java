package io.segstream.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads Maven poms for the tests that check an image's configuration offline (the job's, the CLI's, the edge
 * agent's): elements by name and {@code ${property}} references resolved against the properties collected so far
 * (the parent's, then a profile's). Shared through core's test jar.
 *
 * <pre>{@code
 * PomXml pom = new PomXml();
 * pom.readParent(Path.of("../pom.xml"));
 * Element profile = pom.profile(PomXml.read(Path.of("pom.xml")), "images");
 * Element jib = PomXml.child(PomXml.plugin(profile, "jib-maven-plugin"), "configuration");
 * String image = pom.resolve(PomXml.text(PomXml.child(jib, "from"), "image"));
 * }</pre>
 */
public final class PomXml {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");
    private final Map<String, String> properties = new HashMap<>();

    /** The document element of the pom at {@code file}. */
    public static Element read(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    /** Collects the parent pom's properties, and its version as {@code project.version}. */
    public void readParent(Path parentPom) throws Exception {
        Element root = read(parentPom);
        putProperties(child(root, "properties"));
        put("project.version", text(root, "version"));
    }

    /** The profile {@code id} of {@code modulePom}, its properties collected; its absence fails the test. */
    public Element profile(Element modulePom, String id) {
        for (Element p : children(child(modulePom, "profiles"), "profile")) {
            if (text(p, "id").equals(id)) {
                putProperties(child(p, "properties"));
                return p;
            }
        }
        throw new AssertionError(text(modulePom, "artifactId") + "'s pom has no '" + id + "' profile");
    }

    /** The plugin {@code artifactId} of {@code owner}'s build (a pom or a profile); its absence fails the test. */
    public static Element plugin(Element owner, String artifactId) {
        for (Element p : children(child(child(owner, "build"), "plugins"), "plugin")) {
            if (text(p, "artifactId").equals(artifactId)) {
                return p;
            }
        }
        throw new AssertionError("no " + artifactId + " in the build of <" + owner.getTagName() + ">");
    }

    /** Adds every child of a {@code <properties>} element. */
    public void putProperties(Element propertiesElement) {
        for (Node n = propertiesElement.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                properties.put(e.getTagName(), e.getTextContent().trim());
            }
        }
    }

    public void put(String name, String value) {
        properties.put(name, value);
    }

    /** A property's raw value, or null. */
    public String get(String name) {
        return properties.get(name);
    }

    /** {@code value} with every {@code ${name}} replaced, recursively; an unknown property fails the test. */
    public String resolve(String value) {
        Matcher m = PROPERTY.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = properties.get(m.group(1));
            assertTrue(v != null, "no property " + m.group(1) + " for " + value);
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(v)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The first child element named {@code name}; its absence fails the test. */
    public static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertTrue(!found.isEmpty(), "<" + parent.getTagName() + "> has no <" + name + ">");
        return found.get(0);
    }

    /** The child elements named {@code name}, in document order. */
    public static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The trimmed text of the first child named {@code name}. */
    public static String text(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }
}
