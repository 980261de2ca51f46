package net.passerelle.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.policy.DefaultPageGuard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The default-page guard's scan of an HTML response's start, as done for every proxied page: the built-in
 * fingerprints against the load harness's page (1 KiB of base64: capitals everywhere, the worst case for a scan keyed
 * on first bytes) and against 4 KiB of a gallery's markup (the common case). Neither holds a fingerprint, so the
 * whole start is scanned, as on every healthy answer.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DefaultPageGuardBenchmark {
    @Param({"base64-1k", "gallery-4k"})
    public String page;

    private final DefaultPageGuard guard = new DefaultPageGuard(true, GuardConfig.BUILT_IN, 4096);
    private ByteBuf body;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = page.equals("base64-1k") ? base64Page() : galleryPage();
        body = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        body.release();
    }

    @Benchmark
    public String scan() {
        return guard.match(body, null);
    }

    /** What the load harness's backend serves as its 1 KiB page. */
    private static byte[] base64Page() {
        byte[] random = new byte[768];
        new SplittableRandom(7).nextBytes(random);
        return Base64.getEncoder().encode(random);
    }

    /** The start of a Piwigo album page: head, menus and thumbnails with their titles. */
    private static byte[] galleryPage() {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="fr" dir="ltr">
                <head>
                <meta charset="utf-8">
                <meta name="generator" content="Piwigo (aka PWG), see piwigo.org">
                <title>Vacances en Bretagne 2025 | Galerie de la famille Martin</title>
                <link rel="stylesheet" type="text/css" href="themes/default/css/base.css">
                <link rel="stylesheet" type="text/css" href="themes/bootstrap_darkroom/css/style.css">
                <script type="text/javascript" src="themes/default/js/jquery.min.js"></script>
                </head>
                <body id="theCategoryPage" class="section-categories category-12">
                <div id="the_page">
                <nav class="navbar navbar-expand-lg"><a class="navbar-brand" href="./">Galerie de la famille Martin</a>
                <ul class="navbar-nav"><li><a href="index.php?/categories">Albums</a></li>
                <li><a href="tags.php" title="Voir les tags disponibles">Tags</a></li>
                <li><a href="search.php" title="Recherche">Rechercher</a></li>
                <li><a href="about.php" title="À propos de Piwigo">À propos</a></li></ul></nav>
                <div id="content" class="content"><h2>Accueil / Vacances en Bretagne 2025</h2>
                <ul class="thumbnails" id="thumbnails">
                """);
        for (int i = 1; html.length() < 4096; i++) {
            html.append("<li><a href=\"picture.php?/").append(100 + i).append("/category/12\"><img src=\"_data/i/upload/2025/08/")
                    .append(i).append("/IMG_").append(4000 + i).append("-th.jpg\" alt=\"IMG_").append(4000 + i)
                    .append("\" title=\"Plage de Saint-Malo, le soir (").append(i).append(" vues)\"></a></li>\n");
        }
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }
}
