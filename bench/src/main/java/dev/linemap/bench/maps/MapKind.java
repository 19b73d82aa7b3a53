package dev.linemap.bench.maps;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The maps under test, by the short id used in JMH {@code @Param}s, JSON files and command lines.
 */
public enum MapKind {
    /** linemap {@code LongLongMap}: off-heap, concurrent, incremental growth. */
    LINEMAP("linemap", "linemap", "linemap LongLongMap", true),
    /** {@code java.util.concurrent.ConcurrentHashMap<Long, Long>}. */
    CHM("chm", "CHM", "ConcurrentHashMap<Long,Long>", true),
    /** JCTools {@code NonBlockingHashMapLong<Long>}. */
    NBHML("nbhml", "NBHML", "JCTools NonBlockingHashMapLong", true),
    /** Chronicle Map {@code ChronicleMap<Long, Long>}, pre-sized. */
    CHRONICLE("chronicle", "Chronicle", "ChronicleMap<Long,Long>", true),
    /** Agrona {@code Long2LongHashMap} (single-threaded). */
    AGRONA("agrona", "Agrona", "Agrona Long2LongHashMap", false),
    /** fastutil {@code Long2LongOpenHashMap} (single-threaded). */
    FASTUTIL("fastutil", "fastutil", "fastutil Long2LongOpenHashMap", false);

    private final String id;
    private final String shortName;
    private final String label;
    private final boolean concurrent;

    MapKind(String id, String shortName, String label, boolean concurrent) {
        this.id = id;
        this.shortName = shortName;
        this.label = label;
        this.concurrent = concurrent;
    }

    /**
     * Short id ({@code linemap}, {@code chm}, ...).
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * Short name for chart legends.
     *
     * @return for example {@code CHM}
     */
    public String shortName() {
        return shortName;
    }

    /**
     * Human-readable name for reports.
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    /**
     * Whether several threads may use the map at once.
     *
     * @return true for concurrent maps
     */
    public boolean concurrent() {
        return concurrent;
    }

    /**
     * Creates an empty map. Growable maps start at their default (or zero) capacity and grow as the
     * benchmark inserts; Chronicle Map cannot grow that way and is created for {@code expectedEntries}.
     *
     * @param expectedEntries how many entries the caller will insert (only Chronicle Map uses it)
     * @return a new, empty map; close it when done
     */
    public BenchMap create(long expectedEntries) {
        return switch (this) {
            case LINEMAP -> new LinemapMap(expectedEntries);
            case CHM -> new ChmMap();
            case NBHML -> new NbhmlMap();
            case CHRONICLE -> new ChronicleLongMap(expectedEntries);
            case AGRONA -> new AgronaMap();
            case FASTUTIL -> new FastutilMap();
        };
    }

    /**
     * Looks a kind up by id.
     *
     * @param id a short id, case-insensitive
     * @return the kind
     * @throws IllegalArgumentException naming the known ids
     */
    public static MapKind of(String id) {
        for (MapKind k : values()) {
            if (k.id.equals(id.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown map '" + id + "'; known: " + ids(Arrays.asList(values())));
    }

    /**
     * Parses a comma-separated list of ids.
     *
     * @param csv for example {@code linemap,chm}
     * @return the kinds in the given order
     */
    public static List<MapKind> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(MapKind::of).toList();
    }

    /**
     * Joins ids with commas.
     *
     * @param kinds the kinds
     * @return for example {@code linemap,chm}
     */
    public static String ids(List<MapKind> kinds) {
        return String.join(",", kinds.stream().map(MapKind::id).toList());
    }
}
