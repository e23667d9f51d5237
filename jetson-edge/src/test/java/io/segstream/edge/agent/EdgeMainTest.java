package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agent jar's and the image's command line: the positional form and segstream edge's option names. */
class EdgeMainTest {
    @Test
    void bothFormsGiveTheEdgeFileAndThePort() {
        assertEquals(new EdgeMain.Arguments(Path.of("edge.yaml"), -1), EdgeMain.Arguments.parse("edge.yaml"));
        assertEquals(new EdgeMain.Arguments(Path.of("edge.yaml"), 9400), EdgeMain.Arguments.parse("edge.yaml", "9400"));
        assertEquals(new EdgeMain.Arguments(Path.of("/etc/segstream/edge.yaml"), 9400),
                EdgeMain.Arguments.parse("--config", "/etc/segstream/edge.yaml", "--metrics-port", "9400"));
        assertEquals(new EdgeMain.Arguments(Path.of("e.yaml"), 0),
                EdgeMain.Arguments.parse("--metrics-port", "0", "--config", "e.yaml"));
        assertEquals(new EdgeMain.Arguments(Path.of("e.yaml"), -1), EdgeMain.Arguments.parse("--config", "e.yaml"));
    }

    @Test
    void aWrongCommandLineIsNamed() {
        assertEquals("--config EDGE_FILE is required", assertThrows(IllegalArgumentException.class,
                () -> EdgeMain.Arguments.parse("--metrics-port", "9400")).getMessage());
        assertEquals("--metrics-port needs a value", assertThrows(IllegalArgumentException.class,
                () -> EdgeMain.Arguments.parse("--config", "e.yaml", "--metrics-port")).getMessage());
        assertEquals("unknown option --port, expected --config or --metrics-port", assertThrows(
                IllegalArgumentException.class, () -> EdgeMain.Arguments.parse("--port", "1")).getMessage());
        assertEquals("the metrics port must be a number from 0 to 65535, got '70000'", assertThrows(
                IllegalArgumentException.class, () -> EdgeMain.Arguments.parse("e.yaml", "70000")).getMessage());
        assertEquals("expected an edge file and an optional metrics port, got 0 arguments",
                assertThrows(IllegalArgumentException.class, EdgeMain.Arguments::parse).getMessage());
    }
}
