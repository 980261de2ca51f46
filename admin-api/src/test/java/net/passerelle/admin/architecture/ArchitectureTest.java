package net.passerelle.admin.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The control plane's shape, checked on its main classes. */
@AnalyzeClasses(packages = "net.passerelle.admin", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("net.passerelle.admin.(*)..")
            .should().beFreeOfCycles();

    /** The model is shared with the gateway and read by tools: plain values, no network or database code. */
    @ArchTest
    static final ArchRule modelKnowsNoNettyNorJdbc = noClasses().that().resideInAPackage("net.passerelle.admin.model..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "java.sql..", "javax.sql..",
                    "com.zaxxer.hikari..", "org.flywaydb..");
}
