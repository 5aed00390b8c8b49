package dev.marquee.common.web;

/** An item id that is valid but unknown to the catalog; becomes a 404 problem naming the field {@code itemId}. */
public class ItemNotFoundException extends RuntimeException {
    private final String itemId;

    public ItemNotFoundException(String itemId) {
        super("no item '" + itemId + "' in the catalog");
        this.itemId = itemId;
    }

    public String itemId() {
        return itemId;
    }
}
