package io.segstream.cli;

import picocli.CommandLine;

/** Reports the project version from the jar manifest (or "development" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Segstream.class.getPackage().getImplementationVersion();
        return new String[] {"segstream " + (v == null ? "development" : v)};
    }
}
