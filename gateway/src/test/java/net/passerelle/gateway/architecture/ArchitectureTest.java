package net.passerelle.gateway.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The data plane's shape, checked on the gateway's main classes: packages depend on each other one way, and the
 * request path never touches the store or JDBC (it routes from the table in memory, whatever the store does).
 */
@AnalyzeClasses(packages = "net.passerelle.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The packages a request goes through, from the listener to the backend and back. */
    static final String[] REQUEST_PATH = {
            "net.passerelle.gateway.server..", "net.passerelle.gateway.client..", "net.passerelle.gateway.proxy..",
            "net.passerelle.gateway.origin..", "net.passerelle.gateway.http..", "net.passerelle.gateway.routing..",
            "net.passerelle.gateway.policy..", "net.passerelle.gateway.notice.."};

    /** No package cycles: server -> client -> proxy -> origin, and every feature below them, one way. */
    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("net.passerelle.gateway.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule requestPathNeverTouchesTheStore = noClasses().that().resideInAnyPackage(REQUEST_PATH)
            .should().dependOnClassesThat().resideInAnyPackage("net.passerelle.admin.store..", "java.sql..", "javax.sql..",
                    "com.zaxxer.hikari..", "org.flywaydb..");
}
