package dev.marquee.ranking.train;

import dev.marquee.common.feature.UserFeatures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The negatives of one training moment: what the user could have been shown then and did not choose. */
final class Negatives {
    private final int wanted;
    private final int poolSize;
    private final double poolShare;

    /**
     * @param wanted    negatives per positive
     * @param poolSize  best transition neighbours, and as many best history co-visit neighbours, drawn from
     * @param poolShare share of the negatives drawn from those neighbours, the rest from the catalog
     */
    Negatives(int wanted, int poolSize, double poolShare) {
        this.wanted = wanted;
        this.poolSize = poolSize;
        this.poolShare = poolShare;
    }

    /**
     * Items the user never interacted with at any time (their whole history, not only the recent items: serving filters
     * those out, so as negatives they would be false ones): {@code poolShare} of them drawn uniformly from the moment's
     * neighbours (the {@code poolSize} best of its transition scores and of its history co-visit scores, what the
     * neighbour sources would have proposed then), the rest from the catalog. The first teach the model to order what
     * serving ranks, which any score tells from random items; the others teach what the user does not care for at all
     * (taste, categories), which neighbours of the user's items, often of the same kind, cannot. A moment whose item is
     * not among those neighbours (the sources could not have found it) gets catalog items only, as does a pool too
     * small. Measurements of the shares: docs/benchmarks.md.
     */
    List<String> draw(UserFeatures then, String positive, Set<String> seen, List<String> catalog, Random random) {
        List<String> negatives = new ArrayList<>(wanted);
        int fromPool = (int) Math.round(wanted * poolShare);
        if (fromPool > 0) {
            Set<String> pool = neighbourPool(then);
            if (pool.contains(positive)) {
                List<String> unseen = new ArrayList<>(pool.size());
                for (String item : pool) {
                    if (!seen.contains(item)) {
                        unseen.add(item);
                    }
                }
                Collections.shuffle(unseen, random);
                negatives.addAll(unseen.subList(0, Math.min(fromPool, unseen.size())));
            }
        }
        for (int tries = 0; negatives.size() < wanted && tries < wanted * 4 && !catalog.isEmpty(); tries++) {
            String candidate = catalog.get(random.nextInt(catalog.size()));
            if (!seen.contains(candidate) && !negatives.contains(candidate)) {
                negatives.add(candidate);
            }
        }
        return negatives;
    }

    /** The moment's best transition and history co-visit neighbours, in a fixed order (for a seeded draw). */
    private Set<String> neighbourPool(UserFeatures then) {
        Set<String> pool = new LinkedHashSet<>(then.transitions().best(poolSize));
        pool.addAll(then.historyCoVisits().best(poolSize));
        return pool;
    }
}
