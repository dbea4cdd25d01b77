package dev.pinwheel.core.store;

/**
 * The history queries Discord clients make on {@code GET /channels/{id}/messages}.
 */
public enum HistoryQuery
{
    /** The newest messages; the anchor is ignored. */
    LATEST,
    /** Messages with id &lt; anchor, newest first. */
    BEFORE,
    /** Messages with id &gt; anchor; returned newest first (as Discord does). */
    AFTER,
    /** Up to limit messages around the anchor (about half older, half newer, the anchor included if present). */
    AROUND
}
