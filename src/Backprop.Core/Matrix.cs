using System.Numerics;

namespace Backprop.Core;

/// <summary>
/// A dense row-major matrix: element (r, c) is <c>Data[r * Cols + c]</c>. A bias or any other
/// vector is a plain array; a matrix always has two dimensions, even when one of them is 1.
/// Not thread-safe: its elements are mutable, and nothing guards a write against a read.
/// </summary>
public sealed class Matrix<T>
    where T : INumberBase<T>
{
    public Matrix(int rows, int cols)
        : this(rows, cols, new T[CheckedSize(rows, cols)])
    {
    }

    public Matrix(int rows, int cols, T[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != CheckedSize(rows, cols))
        {
            throw new ArgumentException(
                $"a {rows}×{cols} matrix holds {(long)rows * cols} elements, but {data.Length} were given",
                nameof(data));
        }

        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }

    public int Cols { get; }

    public T[] Data { get; }

    /// <summary>The shape as people write it: <c>2×3</c>.</summary>
    public string Shape => $"{Rows}×{Cols}";

    public T this[int row, int col]
    {
        get => Data[Index(row, col)];
        set => Data[Index(row, col)] = value;
    }

    public Span<T> Row(int row) => Data.AsSpan(Index(row, 0), Cols);

    /// <summary>Builds a matrix from an array of rows; every row must have the same length.</summary>
    public static Matrix<T> FromRows(IReadOnlyList<IReadOnlyList<T>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int cols = rows.Count == 0 ? 0 : (rows[0] ?? throw new ArgumentNullException(nameof(rows), "row 0 is null")).Count;
        var m = new Matrix<T>(rows.Count, cols);
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r] is null)
            {
                throw new ArgumentNullException(nameof(rows), $"row {r} is null");
            }

            if (rows[r].Count != cols)
            {
                throw new ArgumentException($"row {r} has {rows[r].Count} elements, but row 0 has {cols}", nameof(rows));
            }

            for (int c = 0; c < cols; c++)
            {
                m[r, c] = rows[r][c];
            }
        }

        return m;
    }

    public Matrix<T> Transpose()
    {
        var t = new Matrix<T>(Cols, Rows);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Cols; c++)
            {
                t[c, r] = this[r, c];
            }
        }

        return t;
    }

    public Matrix<T> Clone() => new(Rows, Cols, (T[])Data.Clone());

    /// <summary>Converts every element (exact from float to double; rounds to nearest the other way).</summary>
    public Matrix<TOut> Convert<TOut>()
        where TOut : INumberBase<TOut>
        => new(Rows, Cols, Array.ConvertAll(Data, TOut.CreateTruncating));

    public T[][] ToRows()
    {
        var rows = new T[Rows][];
        for (int r = 0; r < Rows; r++)
        {
            rows[r] = Row(r).ToArray();
        }

        return rows;
    }

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Rows || (uint)col >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(row), $"({row}, {col}) is outside a {Shape} matrix");
        }

        return (row * Cols) + col;
    }

    private static int CheckedSize(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long size = (long)rows * cols;
        if (size > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"a {rows}×{cols} matrix has more than {Array.MaxLength} elements");
        }

        return (int)size;
    }
}
